/**
 * PostgreSQL adapters of the core's ports: repositories over helidon-dbclient-jdbc and a HikariCP pool, the
 * transaction scope they join, and the Flyway migrations in {@code db-migration/} (a folder whose name is no
 * package, so Flyway can read it from the module).
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module inventory.persistence {
    requires transitive inventory.core;
    requires io.helidon.common.config;
    requires io.helidon.config;
    requires io.helidon.dbclient;
    requires io.helidon.dbclient.jdbc;
    requires io.helidon.dbclient.hikari;
    requires jakarta.json;
    requires java.sql;
    requires java.management;
    requires com.zaxxer.hikari;
    requires flyway.core;
    requires flyway.database.postgresql;
    requires org.postgresql.jdbc;

    exports inventory.persistence;
}
