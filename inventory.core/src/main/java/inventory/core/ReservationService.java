package inventory.core;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * Reservation use cases: hold, read, commit, release, and expiring what is due. Each change and its events
 * commit together.
 */
public final class ReservationService {

    private final ReservationRepository reservations;
    private final Transactions transactions;
    private final EventLog events;
    private final UuidV7 ids;
    private final Clock clock;

    /**
     * @param reservations stored reservations
     * @param transactions transactions
     * @param events       the event feed
     * @param ids          id generator
     * @param clock        clock
     */
    public ReservationService(ReservationRepository reservations, Transactions transactions, EventLog events, UuidV7 ids,
                              Clock clock) {
        this.reservations = reservations;
        this.transactions = transactions;
        this.events = events;
        this.ids = ids;
        this.clock = clock;
    }

    /**
     * Holds every line or none.
     *
     * @param req the validated request
     * @return the reservation
     */
    public Reservation create(NewReservation req) {
        return changed("reservation.created", () -> reservations.create(ids.next(), req));
    }

    /**
     * @param id reservation id
     * @return it, its status as of now
     */
    public Reservation get(UUID id) {
        return reservations.find(id).orElseThrow(() -> new InventoryException.NotFound("no reservation with id " + id));
    }

    /**
     * Sells the held units: one {@code SOLD} movement per line.
     *
     * @param id      reservation id
     * @param ifMatch version the client expects
     * @return the committed reservation
     */
    public Reservation commit(UUID id, OptionalLong ifMatch) {
        Instant now = ProductService.now(clock);
        return changed("reservation.committed", () -> reservations.commit(id, ifMatch, ids::next, now));
    }

    /**
     * Lets the held units go.
     *
     * @param id      reservation id
     * @param ifMatch version the client expects
     * @return the released reservation
     */
    public Reservation release(UUID id, OptionalLong ifMatch) {
        return changed("reservation.released", () -> reservations.release(id, ifMatch));
    }

    /**
     * Expires up to {@code limit} reservations that are due, in one transaction.
     *
     * @param limit most to expire
     * @return how many were expired
     */
    public int expireDue(int limit) {
        return transactions.inTransaction(() -> {
            Instant now = ProductService.now(clock);
            List<Reservation> expired = reservations.markExpired(limit);
            events.append(expired.stream().<Event>map(r -> new Event.ReservationChanged("reservation.expired", r, now))
                    .toList());
            // then the products: each one freed records its own stock.changed
            reservations.releaseExpiredHolds(expired.stream().map(Reservation::id).toList());
            return expired.size();
        });
    }

    private Reservation changed(String type, java.util.function.Supplier<ReservationRepository.Change> change) {
        return transactions.inTransaction(() -> {
            ReservationRepository.Change c = change.get();
            events.append(events(c, type, ProductService.now(clock)));
            return c.reservation();
        });
    }

    private static List<Event> events(ReservationRepository.Change c, String type, Instant now) {
        List<Event> list = new ArrayList<>(c.products().size() + 2);
        list.add(new Event.ReservationChanged(type, c.reservation(), now));
        list.addAll(Event.ofStock(type, c.reservation().id(), c.products(), now));
        return list;
    }
}
