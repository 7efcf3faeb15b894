package inventory.app.logging;

import java.util.Set;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.cloudwatchlogs.model.RejectedLogEventsInfo;

/**
 * What CloudWatch Logs' answers mean for a batch {@link CloudWatchShipper} sent: how many of its lines were refused,
 * whether a failure is worth another try, and how to say it in the service's log.
 */
final class CloudWatchErrors {

    /** Error codes that refuse a batch for what it holds. */
    private static final Set<String> BATCH_REFUSED = Set.of("InvalidParameterException",
            "ValidationException", "DataAlreadyAcceptedException", "InvalidSequenceTokenException",
            "SerializationException");

    private CloudWatchErrors() {
    }

    /**
     * @param info what {@code PutLogEvents} said it refused (too old, expired or too new), or null for nothing
     * @param size the lines in the batch
     * @return how many of them were refused
     */
    static int refused(RejectedLogEventsInfo info, int size) {
        if (info == null) {
            return 0;
        }
        int old = Math.max(info.tooOldLogEventEndIndex() == null ? -1 : info.tooOldLogEventEndIndex(),
                info.expiredLogEventEndIndex() == null ? -1 : info.expiredLogEventEndIndex()) + 1;
        int young = info.tooNewLogEventStartIndex() == null ? 0 : size - info.tooNewLogEventStartIndex();
        return Math.min(size, Math.max(0, old) + Math.max(0, young));
    }

    /**
     * Everything is worth another try (throttling, 5xx, time-outs, failures to connect, but also credentials or
     * permissions not there yet and a missing log group, which someone may yet fix) except the answers that say
     * this batch itself is wrong: the same batch would fail again, so it is dropped rather than stall the rest.
     */
    static boolean retryable(SdkException e) {
        if (e instanceof AwsServiceException service && service.awsErrorDetails() != null) {
            return !BATCH_REFUSED.contains(service.awsErrorDetails().errorCode());
        }
        return true;
    }

    /**
     * @param e a failed call
     * @return the failure in one line: the service's status and error code when it answered, else the exception
     * and its cause
     */
    static String describe(Exception e) {
        if (e instanceof AwsServiceException s && s.awsErrorDetails() != null) {
            return s.statusCode() + " " + s.awsErrorDetails().errorCode() + ": " + s.awsErrorDetails().errorMessage();
        }
        String message = e.getMessage();
        Throwable cause = e.getCause();
        if (cause != null && cause.getMessage() != null && (message == null || !message.contains(cause.getMessage()))) {
            message = (message == null ? "" : message + ": ") + cause;
        }
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
