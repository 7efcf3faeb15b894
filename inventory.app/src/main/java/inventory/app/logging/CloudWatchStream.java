package inventory.app.logging;

import java.time.Duration;
import java.util.List;

import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClientBuilder;
import software.amazon.awssdk.services.cloudwatchlogs.model.CreateLogStreamRequest;
import software.amazon.awssdk.services.cloudwatchlogs.model.InputLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.PutLogEventsRequest;
import software.amazon.awssdk.services.cloudwatchlogs.model.PutLogEventsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.ResourceAlreadyExistsException;
import software.amazon.awssdk.services.cloudwatchlogs.model.ResourceNotFoundException;

/**
 * The one CloudWatch Logs stream a {@link CloudWatchShipper} writes to, through the AWS SDK: the stream is created
 * before the first batch, and again when {@code PutLogEvents} answers that it is missing. Used by the shipper's
 * sender thread alone. Every call may throw the SDK's exceptions; the shipper decides what to retry
 * ({@link CloudWatchErrors}).
 */
final class CloudWatchStream implements AutoCloseable {

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(10);
    /** One call, connecting and reading included: a hanging endpoint holds the sender at most this long. */
    static final Duration API_CALL_TIMEOUT = Duration.ofSeconds(15);

    private final CloudWatchLogsClient client;
    private final String logGroup;
    private final String logStream;
    private boolean ready;

    private CloudWatchStream(CloudWatchLogsClient client, String logGroup, String logStream) {
        this.client = client;
        this.logGroup = logGroup;
        this.logStream = logStream;
    }

    /**
     * The SDK's synchronous client on its smallest HTTP client (the JDK's HttpURLConnection), with the SDK's own
     * retries off (the shipper retries, and keeps its buffer moving while it does) and every wait bounded. Nothing
     * is sent until the first {@link #create} or {@link #put}.
     *
     * @param settings where to ship
     * @return the stream
     */
    static CloudWatchStream of(CloudWatchShipper.Settings settings) {
        CloudWatchLogsClientBuilder builder = CloudWatchLogsClient.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(CONNECT_TIMEOUT)
                        .socketTimeout(SOCKET_TIMEOUT))
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .overrideConfiguration(o -> o
                        .apiCallTimeout(API_CALL_TIMEOUT)
                        .apiCallAttemptTimeout(API_CALL_TIMEOUT)
                        .retryStrategy(AwsRetryStrategy.doNotRetry()));
        settings.region().ifPresent(r -> builder.region(Region.of(r)));
        settings.endpoint().ifPresent(builder::endpointOverride);
        return new CloudWatchStream(builder.build(), settings.logGroup(), settings.logStream());
    }

    /**
     * Sends one batch, creating the stream first when it is not known to exist.
     *
     * @param events in time order, within {@code PutLogEvents}' limits ({@link LogEvents})
     * @return how many of them CloudWatch refused
     */
    int put(List<InputLogEvent> events) {
        if (!ready) {
            create();
        }
        PutLogEventsResponse response;
        try {
            response = putOnce(events);
        } catch (ResourceNotFoundException e) {
            // the stream was deleted (or never made): make it and try once more at once
            ready = false;
            create();
            response = putOnce(events);
        }
        return CloudWatchErrors.refused(response.rejectedLogEventsInfo(), events.size());
    }

    /** Creates the stream (an existing one is fine); {@link #put} creates it if this has not succeeded. */
    void create() {
        try {
            client.createLogStream(CreateLogStreamRequest.builder()
                    .logGroupName(logGroup)
                    .logStreamName(logStream)
                    .build());
        } catch (ResourceAlreadyExistsException e) {
            // made by an earlier start of the same stream name, or by a call whose answer was lost
        }
        ready = true;
    }

    private PutLogEventsResponse putOnce(List<InputLogEvent> events) {
        return client.putLogEvents(PutLogEventsRequest.builder()
                .logGroupName(logGroup)
                .logStreamName(logStream)
                .logEvents(events)
                .build());
    }

    /** Closes the SDK's client; never throws. */
    @Override
    public void close() {
        try {
            client.close();
        } catch (RuntimeException e) {
            // closing anyway
        }
    }
}
