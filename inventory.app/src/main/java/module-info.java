/**
 * The runnable service: reads configuration, starts an embedded PostgreSQL when none is configured, migrates,
 * wires the modules together with constructors and serves HTTP until SIGTERM.
 */
@SuppressWarnings({"requires-automatic"})
module inventory.app {
    requires inventory.persistence;
    requires inventory.web;
    requires io.helidon.config;
    requires io.helidon.config.yaml;
    requires io.helidon.health;
    requires io.helidon.logging.jul;
    requires io.helidon.metrics.api;
    requires io.helidon.webserver.observe;
    requires io.helidon.webserver.observe.health;
    requires io.helidon.webserver.observe.metrics;
    requires java.logging;
    requires jakarta.json;
    requires java.management;
    requires io.helidon.http;
    requires java.sql;
    // optional: the container image has no embedded PostgreSQL (see EmbeddedDatabase.available());
    // bin/inventory's --add-modules ALL-MODULE-PATH resolves it wherever lib/ holds its jars
    requires static embedded.postgres;
    // CloudWatch Logs: the SDK's jars are automatic modules (Automatic-Module-Name in their manifests)
    requires software.amazon.awssdk.auth;
    requires software.amazon.awssdk.awscore;
    requires software.amazon.awssdk.core;
    requires software.amazon.awssdk.http;
    requires software.amazon.awssdk.http.urlconnection;
    requires software.amazon.awssdk.regions;
    requires software.amazon.awssdk.services.cloudwatchlogs;

    exports inventory.app;
    // java.logging makes the ShutdownLogManager named in java.util.logging.manager, by reflection; the app's own
    // wiring uses the formatters and the EMF reporter
    exports inventory.app.logging;
}
