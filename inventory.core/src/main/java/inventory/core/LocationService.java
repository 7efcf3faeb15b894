package inventory.core;

import java.time.Clock;
import java.util.List;

/**
 * Location use cases.
 */
public final class LocationService {

    private final LocationRepository locations;
    private final Clock clock;

    /**
     * @param locations stored locations
     * @param clock     clock
     */
    public LocationService(LocationRepository locations, Clock clock) {
        this.locations = locations;
        this.clock = clock;
    }

    /**
     * @return every location
     */
    public List<Location> list() {
        return locations.list();
    }

    /**
     * @param cmd the validated request
     * @return the location
     */
    public Location create(NewLocation cmd) {
        return locations.create(new Location(cmd.code(), cmd.name(), ProductService.now(clock)));
    }

    /**
     * @param code location code
     */
    public void delete(String code) {
        if (code.equals(Location.MAIN)) {
            throw new InventoryException.LocationRequired(code);
        }
        if (!Rules.LOCATION_CODE.matcher(code).matches()) {
            throw new InventoryException.NotFound("no location " + code);
        }
        locations.delete(code);
    }
}
