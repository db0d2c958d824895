-- The design most teams would build for creneau's job: PostgreSQL 15 +
-- PostGIS 3, slots denormalised with their professional's position, places
-- counted on the slot row, and a constraint that forbids overbooking.
-- bench/run_all.sh applies this file, loads the data with
-- `creneau-load pg-load`, then indexes_common.sql and one of index_[abc].sql.
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS btree_gist;

DROP TABLE IF EXISTS booking, hold, request_log, slot, professional;

CREATE TABLE professional (
  id          text PRIMARY KEY,
  profession  smallint NOT NULL,
  commune     text NOT NULL,
  geog        geography(Point, 4326) NOT NULL
);

CREATE TABLE slot (
  id                  text PRIMARY KEY,
  professional_id     text NOT NULL REFERENCES professional (id),
  profession          smallint NOT NULL,
  geog                geography(Point, 4326) NOT NULL,
  start_time          timestamptz NOT NULL,
  duration_s          integer NOT NULL,
  modality            smallint NOT NULL,
  visibility          smallint NOT NULL,
  capacity            integer NOT NULL,
  overbooking_places  integer NOT NULL DEFAULT 0,
  held                integer NOT NULL DEFAULT 0,
  booked              integer NOT NULL DEFAULT 0,
  withdrawn           boolean NOT NULL DEFAULT false,
  -- A place is never given twice: the database refuses it.
  CONSTRAINT places_ok CHECK (held >= 0 AND booked >= 0
                              AND held + booked <= capacity + overbooking_places)
);

CREATE TABLE hold (
  token       text PRIMARY KEY,
  slot_id     text NOT NULL REFERENCES slot (id),
  expires_at  timestamptz NOT NULL
);

CREATE TABLE booking (
  id           text PRIMARY KEY,
  slot_id      text NOT NULL REFERENCES slot (id),
  patient_ref  text NOT NULL,
  created_at   timestamptz NOT NULL
);

-- Idempotency: a retried request id is refused by the primary key.
CREATE TABLE request_log (
  request_id  text PRIMARY KEY,
  created_at  timestamptz NOT NULL
);
