package inventory.web;

import java.util.EnumSet;
import java.util.Set;
import java.util.UUID;

import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import inventory.core.ApiKey;
import inventory.core.ApiKeys;
import inventory.core.Idempotency;
import inventory.core.InventoryException;
import inventory.core.Scope;
import inventory.core.UuidV7;
import inventory.core.Violations;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonGenerator;

/**
 * {@code /v1/api-keys}: make a key (its secret is in that answer only), list keys, revoke one.
 */
public final class ApiKeyHandler implements HttpService {

    private static final Set<String> FIELDS = Set.of("name", "scopes");
    private static final int NAME_MAX = 100;

    private final ApiKeys keys;
    private final Idempotency idempotency;

    /**
     * @param keys        API keys
     * @param idempotency idempotent execution of writes
     */
    public ApiKeyHandler(ApiKeys keys, Idempotency idempotency) {
        this.keys = keys;
        this.idempotency = idempotency;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::list)
                .post("/", this::create)
                .any("/", Routes.notAllowed("GET, POST"))
                .delete("/{id}", this::revoke)
                .any("/{id}", Routes.notAllowed("DELETE"));
    }

    private void list(ServerRequest req, ServerResponse res) {
        Http.send(res, Http.json(200, null, null, JsonOut.write(g -> {
            g.writeStartObject().writeStartArray("items");
            keys.list().forEach(k -> write(g, k, null, false));
            g.writeEnd().writeEnd();
        })));
    }

    private void create(ServerRequest req, ServerResponse res) {
        JsonIn.Body body = JsonIn.read(req, JsonIn.SMALL, false);
        Violations v = new Violations();
        JsonIn.Fields f = new JsonIn.Fields(body.object(), "", v, FIELDS);
        String name = f.string("name");
        if (name == null && !v.has("name")) {
            v.add("name", "is required");
        } else if (name != null && (name.isBlank() || name.length() > NAME_MAX || name.indexOf('\0') >= 0)) {
            v.add("name", "must be 1 to " + NAME_MAX + " characters");
        }
        Set<Scope> scopes = scopes(f.array("scopes"), body.object(), v);
        v.throwIfAny();
        // the secret goes out once: a replay under the same Idempotency-Key answers "key": null
        Http.send(res, idempotency.execute(Http.idempotency(req, body), () -> keys.create(name, scopes),
                c -> Http.json(201, null, null, JsonOut.write(g -> write(g, c.key(), c.secret(), true))),
                c -> Http.json(201, null, null, JsonOut.write(g -> write(g, c.key(), null, true))),
                e -> Problems.of(e, Http.path(req), Http.requestId(req))));
    }

    private void revoke(ServerRequest req, ServerResponse res) {
        String text = req.path().pathParameters().get("id");
        UUID id = UuidV7.parse(text).orElseThrow(() -> new InventoryException.NotFound("no API key with id " + text));
        keys.revoke(id);
        res.status(Status.NO_CONTENT_204).send();
    }

    private static Set<Scope> scopes(JsonArray array, JsonObject body, Violations v) {
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        if (array == null) {
            if (!v.has("scopes")) {
                v.add("scopes", "is required: one or more of inventory:read, inventory:write, admin");
            }
            return scopes;
        }
        if (array.isEmpty()) {
            v.add("scopes", "must name at least one of inventory:read, inventory:write, admin");
        }
        for (int i = 0; i < array.size(); i++) {
            JsonValue value = array.get(i);
            var scope = value instanceof JsonString s ? Scope.of(s.getString()) : java.util.Optional.<Scope>empty();
            if (scope.isEmpty()) {
                v.add("scopes[" + i + "]", "must be one of inventory:read, inventory:write, admin");
            } else if (!scopes.add(scope.get())) {
                v.add("scopes[" + i + "]", "is named twice");
            }
        }
        return scopes;
    }

    private static void write(JsonGenerator g, ApiKey k, String secret, boolean withKey) {
        g.writeStartObject()
                .write("id", k.id().toString())
                .write("name", k.name())
                .writeStartArray("scopes");
        k.scopes().stream().sorted().forEach(s -> g.write(s.text()));
        g.writeEnd();
        if (withKey) {
            JsonOut.nullable(g, "key", secret);
        }
        g.write("createdAt", JsonOut.time(k.createdAt()));
        JsonOut.nullable(g, "revokedAt", k.revokedAt() == null ? null : JsonOut.time(k.revokedAt()));
        g.writeEnd();
    }
}
