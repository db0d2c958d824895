-- Configuration B: one btree_gist composite, so the profession, the
-- position and the start time are all searched in the index.
DROP INDEX IF EXISTS slot_geog, slot_prof_geog_start, slot_gp_open, slot_nurse_open, slot_physio_open;
CREATE INDEX slot_prof_geog_start ON slot USING gist (profession, geog, start_time);
ANALYZE slot;
