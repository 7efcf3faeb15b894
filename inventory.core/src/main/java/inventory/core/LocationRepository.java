package inventory.core;

import java.util.List;

/**
 * Stored locations.
 */
public interface LocationRepository {

    /**
     * @return every location, ordered by code
     */
    List<Location> list();

    /**
     * @param location the new location
     * @return the location as stored
     * @throws InventoryException.LocationConflict if the code exists
     */
    Location create(Location location);

    /**
     * Deletes a location that holds no stock and no reservations.
     *
     * @param code location code
     * @throws InventoryException.LocationNotEmpty if it holds stock or reservations
     */
    void delete(String code);
}
