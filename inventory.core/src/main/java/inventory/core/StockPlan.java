package inventory.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Decides, for changes applied in order on stock read under lock, which lines are short and what on-hand each
 * line leaves behind. Pure: the repository loads the figures and applies the result.
 */
public final class StockPlan {

    private StockPlan() {
    }

    /**
     * Plans the lines in order. A short line is not applied, so a later line on the same stock sees the figures
     * without it; every short line is reported.
     *
     * @param lines   resolved lines
     * @param current stock per product and location before the change (missing means none)
     * @return the on-hand after each line, or the shortages
     */
    public static Result plan(List<Resolved> lines, Map<Key, Stock> current) {
        Map<Key, Stock> stock = new HashMap<>(current);
        List<Long> after = new ArrayList<>(lines.size());
        List<InventoryException.Shortage> shortages = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Resolved line = lines.get(i);
            Key key = new Key(line.productId(), line.location());
            Stock s = stock.getOrDefault(key, Stock.EMPTY);
            if (s.available() + line.delta() < 0) {
                shortages.add(new InventoryException.Shortage(i, line.productId(), line.sku(), line.location(),
                        -line.delta(), s.available()));
                after.add(s.onHand());
            } else {
                Stock next = new Stock(s.onHand() + line.delta(), s.reserved());
                stock.put(key, next);
                after.add(next.onHand());
            }
        }
        return new Result(List.copyOf(after), List.copyOf(shortages));
    }

    /**
     * A product and a location.
     *
     * @param productId product
     * @param location  location code
     */
    public record Key(UUID productId, String location) {
    }

    /**
     * A line whose product is known.
     *
     * @param productId product
     * @param sku       its SKU
     * @param location  location code
     * @param delta     units
     */
    public record Resolved(UUID productId, String sku, String location, long delta) {
    }

    /**
     * The plan.
     *
     * @param onHandAfter on-hand at the line's location after each line
     * @param shortages   short lines; if any, nothing may be applied
     */
    public record Result(List<Long> onHandAfter, List<InventoryException.Shortage> shortages) {
    }
}
