-- Indexes for the search of bench/pg_load.cc. The configurations a careful
-- team would try, measured by bench/run_all.sh (see the README's
-- performance section for which was kept and why):
--   A. GiST on geog alone, then filter;                 (baseline)
--   B. btree_gist composite (profession, geog, start_time);
--   C. B + partial GiST per busy profession on open slots.
-- The kept configuration is C, the fastest on the national data set; the
-- planner picks between B and C per query.
CREATE INDEX IF NOT EXISTS slot_geog ON slot USING gist (geog);
CREATE INDEX IF NOT EXISTS slot_prof_geog_start
  ON slot USING gist (profession, geog, start_time);
CREATE INDEX IF NOT EXISTS slot_gp_open ON slot USING gist (geog, start_time)
  WHERE profession = 1 AND NOT withdrawn;
CREATE INDEX IF NOT EXISTS slot_nurse_open ON slot USING gist (geog, start_time)
  WHERE profession = 2 AND NOT withdrawn;
CREATE INDEX IF NOT EXISTS slot_professional ON slot (professional_id);
CREATE INDEX IF NOT EXISTS hold_slot ON hold (slot_id);
CREATE INDEX IF NOT EXISTS booking_slot ON booking (slot_id);
ANALYZE;
