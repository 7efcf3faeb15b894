package inventory.core;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RulesTest {

    @Test
    void moneyIsCanonical() {
        assertThat(Rules.money(new BigDecimal("19.9")), is("19.90"));
        assertThat(Rules.money(new BigDecimal("19.9050")), is("19.905"));
        assertThat(Rules.money(new BigDecimal("7")), is("7.00"));
        assertThat(Rules.money(new BigDecimal("1000.0000")), is("1000.00"));
        assertThat(Rules.money("12345678901").isPresent(), is(false));
        assertThat(Rules.money("1.23456").isPresent(), is(false));
        assertThat(Rules.money("-1").isPresent(), is(false));
        assertThat(Rules.money("1e3").isPresent(), is(false));
        assertThat(Rules.money("9999999999.9999").isPresent(), is(true));
    }

    @Test
    void newProductNamesEveryBadField() {
        var e = assertThrows(InventoryException.ValidationFailed.class,
                () -> new NewProduct("-bad", "", null, "x", "usd", -1L, Map.of("", "v"), -5L));
        assertThat(e.errors().stream().map(InventoryException.FieldError::field).toList(),
                contains("sku", "name", "price", "currency", "lowStockThreshold", "attributes.", "initialQuantity"));
    }

    @Test
    void planReportsEveryShortLineInOrderAndAppliesTheRest() {
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        var plan = StockPlan.plan(List.of(
                        new StockPlan.Resolved(a, "A", "main", -3),
                        new StockPlan.Resolved(a, "A", "main", -3),
                        new StockPlan.Resolved(b, "B", "main", 2),
                        new StockPlan.Resolved(b, "B", "main", -2)),
                Map.of(new StockPlan.Key(a, "main"), new Stock(5, 1)));
        assertThat(plan.shortages().size(), is(1));
        assertThat(plan.shortages().getFirst().line(), is(1));
        assertThat(plan.shortages().getFirst().requested(), is(3L));
        assertThat(plan.shortages().getFirst().available(), is(1L));
        assertThat(plan.onHandAfter(), contains(2L, 2L, 2L, 0L));
    }

    @Test
    void uuidsAreVersion7AndIncreasing() {
        UuidV7 ids = new UuidV7();
        UUID previous = ids.next();
        for (int i = 0; i < 10_000; i++) {
            UUID next = ids.next();
            assertThat(next.version(), is(7));
            assertThat(next.toString().compareTo(previous.toString()), greaterThan(0));
            previous = next;
        }
        assertThat(UuidV7.parse("not-a-uuid").isPresent(), is(false));
    }
}
