package inventory.web;

import java.nio.charset.StandardCharsets;
import java.util.List;

import inventory.core.Event;
import inventory.core.StoredEvent;


/**
 * Events to JSON: the data of each type (written once, when the change commits) and the feed's items.
 */
public final class EventJson {

    private EventJson() {
    }

    /**
     * The data of an event, as stored and served.
     *
     * @param e the event
     * @return compact JSON text
     */
    public static String data(Event e) {
        byte[] bytes = switch (e) {
            case Event.ProductCreated c -> ProductJson.write(c.product());
            case Event.ProductUpdated u -> ProductJson.write(u.product());
            case Event.ProductDeleted d -> JsonOut.write(g -> g.writeStartObject()
                    .write("id", d.productId().toString())
                    .write("sku", d.sku())
                    .write("version", d.version())
                    .writeEnd());
            case Event.StockChanged s -> JsonOut.write(g -> {
                g.writeStartObject()
                        .write("productId", s.stock().productId().toString())
                        .write("onHand", s.stock().total().onHand())
                        .write("reserved", s.stock().total().reserved())
                        .write("available", s.stock().total().available())
                        .write("version", s.stock().version())
                        .writeStartArray("locations");
                s.stock().locations().forEach(l -> g.writeStartObject()
                        .write("location", l.location())
                        .write("onHand", l.stock().onHand())
                        .write("reserved", l.stock().reserved())
                        .write("available", l.stock().available())
                        .writeEnd());
                g.writeEnd().write("cause", s.cause()).writeStartArray("movementIds");
                s.movementIds().forEach(id -> g.write(id.toString()));
                g.writeEnd().writeEnd();
            });
            case Event.StockLow l -> JsonOut.write(g -> g.writeStartObject()
                    .write("onHand", l.stock().onHand())
                    .write("reserved", l.stock().reserved())
                    .write("available", l.stock().available())
                    .write("lowStockThreshold", l.threshold())
                    .write("version", l.version())
                    .writeEnd());
            case Event.ReservationChanged r -> ReservationJson.write(r.reservation());
        };
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * One item of the feed, on one line. The data is stored JSON and goes out as it is.
     *
     * @param e the event
     * @return compact JSON text
     */
    static String item(StoredEvent e) {
        StringBuilder sb = new StringBuilder(e.data().length() + 200);
        sb.append("{\"seq\":").append(e.seq())
                .append(",\"type\":\"").append(e.type()).append('"')
                .append(",\"productId\":").append(e.productId() == null ? "null" : "\"" + e.productId() + "\"")
                .append(",\"reservationId\":").append(e.reservationId() == null ? "null" : "\"" + e.reservationId() + "\"")
                .append(",\"data\":").append(e.data())
                .append(",\"at\":\"").append(JsonOut.time(e.at())).append("\"}");
        return sb.toString();
    }

    static byte[] page(List<StoredEvent> items, long nextAfter, long latestSeq) {
        StringBuilder sb = new StringBuilder(256 + items.size() * 400);
        sb.append("{\"items\":[");
        for (int i = 0; i < items.size(); i++) {
            sb.append(i == 0 ? "" : ",").append(item(items.get(i)));
        }
        sb.append("],\"nextAfter\":").append(nextAfter).append(",\"latestSeq\":").append(latestSeq).append('}');
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

}
