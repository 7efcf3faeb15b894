package inventory.app;

import io.helidon.common.config.GlobalConfig;
import io.helidon.config.Config;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.sameInstance;

/**
 * InventoryConfig.load names the configuration's sources instead of letting Config.create() search for them: the
 * module's application.yaml must still be read, system properties (and environment variables, checked by
 * MainExitCodeTest and LinkedImageIT on a real process) must still override it, and metrics must see the same
 * configuration through Helidon's global one.
 */
class ConfigSourcesTest {

    @Test
    void applicationYamlIsReadWhenNothingOverridesIt() {
        Config config = InventoryConfig.load();
        assertThat(config.get("inventory.reservations.sweep.ms").asInt().get(), is(1000));
        assertThat(config.get("inventory.events.heartbeat.seconds").asInt().get(), is(10));
        assertThat(config.get("inventory.db.pool.size").asInt().get(), is(16));
    }

    @Test
    void aSystemPropertyOverridesApplicationYaml() {
        System.setProperty("inventory.db.pool.size", "7");
        try {
            Config config = InventoryConfig.load();
            assertThat(config.get("inventory.db.pool.size").asInt().get(), is(7));
            assertThat(InventoryConfig.from(config).poolSize(), is(7));
        } finally {
            System.clearProperty("inventory.db.pool.size");
        }
    }

    @Test
    void theLoadedConfigurationIsHelidonsGlobalOne() {
        Config config = InventoryConfig.load();
        assertThat(GlobalConfig.config(), sameInstance(config));
    }
}
