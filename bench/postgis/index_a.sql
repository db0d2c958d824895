-- Configuration A: a GiST index on the position alone; the other filters
-- are checked on the rows it returns.
DROP INDEX IF EXISTS slot_geog, slot_prof_geog_start, slot_gp_open, slot_nurse_open, slot_physio_open;
CREATE INDEX slot_geog ON slot USING gist (geog);
ANALYZE slot;
