-- Indexes every configuration has: the foreign keys the booking path uses.
CREATE INDEX IF NOT EXISTS slot_professional ON slot (professional_id);
CREATE INDEX IF NOT EXISTS hold_slot ON hold (slot_id);
CREATE INDEX IF NOT EXISTS booking_slot ON booking (slot_id);
