-- Configuration C: B, plus partial GiST indexes on the open slots of the
-- three busiest professions (most searches are for them), which are
-- smaller and skip withdrawn slots.
DROP INDEX IF EXISTS slot_geog, slot_prof_geog_start, slot_gp_open, slot_nurse_open, slot_physio_open;
CREATE INDEX slot_prof_geog_start ON slot USING gist (profession, geog, start_time);
CREATE INDEX slot_gp_open ON slot USING gist (geog, start_time)
  WHERE profession = 1 AND NOT withdrawn;
CREATE INDEX slot_nurse_open ON slot USING gist (geog, start_time)
  WHERE profession = 2 AND NOT withdrawn;
CREATE INDEX slot_physio_open ON slot USING gist (geog, start_time)
  WHERE profession = 3 AND NOT withdrawn;
ANALYZE slot;
