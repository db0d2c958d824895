// Every limit the engine enforces, in one place. The server documents them in
// the API (proto comments) and the README; tests exercise both sides of each.
#ifndef CRENEAU_ENGINE_LIMITS_H_
#define CRENEAU_ENGINE_LIMITS_H_

#include <cstddef>
#include <cstdint>

namespace creneau::limits {

// Batches (UpsertProfessionals, PublishSlots, WithdrawSlots).
inline constexpr int kMaxBatchSize = 1000;

// Identifiers: [A-Za-z0-9._:-]{1,kMaxIdLength}.
inline constexpr int kMaxIdLength = 64;
inline constexpr int kMaxRequestIdLength = 36;
inline constexpr int kHoldTokenLength = 32;  // Lowercase hex.
inline constexpr int kMaxDisplayNameBytes = 128;
inline constexpr int kMaxTimeZoneLength = 64;

// Slots.
inline constexpr int32_t kMinSlotDurationS = 5 * 60;
inline constexpr int32_t kMaxSlotDurationS = 12 * 3600;
inline constexpr int32_t kMaxCapacity = 100;
inline constexpr int32_t kMaxOverbookingPlaces = 10;
inline constexpr int64_t kMaxPublishAheadS = 366LL * 24 * 3600;
inline constexpr int kMaxSlotsPerProfessional = 20000;
// Slots a start-up reserves room for in advance, at most (a hint; more still
// load, with the tables growing as they go).
inline constexpr size_t kMaxReservedSlots = 20'000'000;

// Professionals.
inline constexpr int32_t kDefaultWeeklyOrientationCap = 20;
inline constexpr int32_t kMaxWeeklyOrientationCap = 200;
// The balanced order's load of an uncapped professional is their week's
// orientations over this many (RankingWeights), at most 1.
inline constexpr int32_t kLoadReferenceOrientations = 20;
// How far a professional goes on home visits, kilometers from their
// practice (or the slot's location): their own figure, 1 to the maximum, or
// the default when they state none.
inline constexpr int32_t kDefaultHomeVisitRadiusKm = 10;
inline constexpr int32_t kMaxHomeVisitRadiusKm = 60;
// Bounds of the balanced order's weights (creneaud's flags): a kilometer is
// worth at most a day of delay, a full week at most a week.
inline constexpr double kMaxMinutesPerKm = 24 * 60;
inline constexpr double kMaxMinutesPerFullWeek = 7 * 24 * 60;

// Bookings a ListBookings page reads from its index at most (the caller's
// rules may skip many, e.g. a regulator listing a busy professional).
inline constexpr int kMaxBookingsScannedPerPage = 100000;

// Search.
inline constexpr int32_t kMaxRadiusM = 200000;
// How far a teleconsultation slot reaches, whatever the radius searched: no
// one travels, so the travel radius does not bind it. 1,200 km covers
// metropolitan France and Corsica from any point of them, and keeps each
// overseas territory to itself (Mayotte is 1,400 km from La Reunion, Cayenne
// 1,500 km from Fort-de-France): a patient is offered a video call in their
// own time zone and health system.
inline constexpr int32_t kTeleconsultationReachM = 1200000;
inline constexpr int64_t kDefaultWindowS = 48 * 3600;
inline constexpr int64_t kMaxWindowS = 31LL * 24 * 3600;
inline constexpr int32_t kDefaultResultLimit = 20;
inline constexpr int32_t kMaxResultLimit = 100;

// Holds.
inline constexpr int32_t kDefaultHoldTtlS = 180;
inline constexpr int32_t kMinHoldTtlS = 10;
inline constexpr int32_t kMaxHoldTtlS = 900;
// Active holds at once, all callers together: far above what call centres
// need (a hold lasts minutes), low enough to bound memory and expiry work.
inline constexpr int kMaxActiveHolds = 100000;

// Retention of finished records (kept in memory and on disk until then).
inline constexpr int64_t kIdempotencyRetentionS = 25 * 3600;  // >= 24 h.
inline constexpr int64_t kClosedHoldRetentionS = 25 * 3600;
inline constexpr int64_t kEndedSlotRetentionS = 7 * 24 * 3600;
inline constexpr int64_t kEndedBookingRetentionS = 90LL * 24 * 3600;
// Slot numbers one maintenance pass examines for retention.
inline constexpr int kMaxSweptSlotsPerPass = 10000;
// Records removed by one maintenance pass, so that a pass never stalls writers.
inline constexpr int kMaxPurgedPerPass = 1000;

// Access model.
inline constexpr int kMaxTerritories = 10000;
inline constexpr int kMaxTerritoryNameBytes = 128;
// Territories a principal's scope may list.
inline constexpr int kMaxScopeTerritories = 64;
// Distinct CPTS ids, all professionals together (France has about 1,000
// CPTS; the tables number them in 16 bits).
inline constexpr int kMaxCptsIds = 20000;
// Defaults of the per-caller limits of EngineOptions: what one principal
// can make the engine remember.
inline constexpr int kDefaultMaxActiveHoldsPerCaller = 10;
inline constexpr int kDefaultMaxRequestRecordsPerCaller = 200000;
inline constexpr int kDefaultMaxProfessionalsPerOrganisation = 500000;
// A booking id is "bk-" and the last this many hex digits of its hold's
// token (80 of the token's 128 random bits).
inline constexpr int kBookingIdHexDigits = 20;
// Audit details (refused calls, counted): bytes at most.
inline constexpr int kMaxEventDetailBytes = 256;

// Paging.
inline constexpr int32_t kDefaultPageSize = 100;
inline constexpr int32_t kMaxPageSize = 1000;

// Recurring availability (engine/availability.h). A template or exception
// id is [A-Za-z0-9._-]{1,kMaxAvailabilityIdLength}, so that the generated
// slot id "t:<id>:<YYYYMMDD>T<HHMM>" stays within kMaxIdLength.
inline constexpr int kMaxAvailabilityIdLength = 40;
inline constexpr int kMaxTemplatesPerProfessional = 32;
inline constexpr int kMaxExceptionsPerProfessional = 400;
// Days ahead the engine keeps generated slots published: the default and
// the most (the publication limit, kMaxPublishAheadS).
inline constexpr int kDefaultAvailabilityHorizonDays = 14;
inline constexpr int kMaxAvailabilityHorizonDays = 366;
// Slots one publication or one maintenance pass generates for one
// professional, at most (a template of 5-minute slots around the clock
// over a long horizon is refused rather than expanded).
inline constexpr int kMaxGeneratedSlotsPerProfessional = 5000;
// Professionals whose horizon one maintenance pass extends, at most; the
// next pass goes on from there.
inline constexpr int kMaxAvailabilityExtensionsPerPass = 1000;
// A pass also stops once its event lists this many professionals and slots,
// which bounds the write lock it holds (generated slots publish at about
// 2.7 us each: some 27 ms; bench/results/2026-12-01-availability-expansion.md).
inline constexpr size_t kMaxAvailabilityExtensionSubjects = 10000;

// Subjects of one event the engine writes by itself for many records at
// once (holds or requests expired): more are split into several events, so
// that one change stays well within a change feed message (4 MiB).
inline constexpr size_t kMaxSystemEventSubjects = 4096;

// The waitlist (engine/waitlist.h). A waiting request costs a search each
// time places appear that its criteria could use, so the queues are short:
// per organisation (a call centre rarely has more patients waiting than
// regulators on shift times a few), and all organisations together.
inline constexpr int kMaxWaitingRequestsPerOrganisation = 500;
inline constexpr int kMaxWaitingRequests = 5000;
inline constexpr int32_t kMinRequestExpiryS = 60;
inline constexpr int32_t kDefaultRequestExpiryS = 4 * 3600;
inline constexpr int32_t kMaxRequestExpiryS = 24 * 3600;
// Requests no longer waiting are kept this long after they closed, for
// ListRequests and the feed's snapshots, then purged.
inline constexpr int64_t kClosedRequestRetentionS = 25 * 3600;
// Requests kept (waiting, or closed within kClosedRequestRetentionS), per
// organisation and in all: without them, enqueueing and cancelling in a
// loop would grow memory and the store for a day whatever the queues'
// bounds. 20,000 a day is 40 times a full queue.
inline constexpr int kMaxKeptRequestsPerOrganisation = 20000;
inline constexpr int kMaxKeptRequests = 100000;

}  // namespace creneau::limits

#endif  // CRENEAU_ENGINE_LIMITS_H_
