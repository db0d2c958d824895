// The engine's enums and the API's agree value for value: the mapping in
// from_proto.cc and to_proto.cc converts between them with a cast, and
// these assertions are what makes that cast right. A new value on either
// side fails the build here until the other side has it too.
#ifndef CRENEAU_SERVER_INTERNAL_ENUMS_H_
#define CRENEAU_SERVER_INTERNAL_ENUMS_H_

#include "creneau/v1/admin_service.pb.h"
#include "creneau/v1/orientation_service.pb.h"
#include "creneau/v1/types.pb.h"
#include "engine/engine.h"

namespace creneau::server::internal {

#define CRENEAU_SAME_ENUM_VALUE(engine_value, proto_value)        \
  static_assert(static_cast<int>(engine_value) ==                 \
                    static_cast<int>(::creneau::v1::proto_value), \
                #engine_value " and creneau.v1." #proto_value " differ")

CRENEAU_SAME_ENUM_VALUE(Profession::kUnspecified, PROFESSION_UNSPECIFIED);
CRENEAU_SAME_ENUM_VALUE(Profession::kGeneralPractitioner,
                        PROFESSION_GENERAL_PRACTITIONER);
CRENEAU_SAME_ENUM_VALUE(Profession::kNurse, PROFESSION_NURSE);
CRENEAU_SAME_ENUM_VALUE(Profession::kPhysiotherapist,
                        PROFESSION_PHYSIOTHERAPIST);
CRENEAU_SAME_ENUM_VALUE(Profession::kMidwife, PROFESSION_MIDWIFE);
CRENEAU_SAME_ENUM_VALUE(Profession::kDentist, PROFESSION_DENTIST);
CRENEAU_SAME_ENUM_VALUE(Profession::kPharmacist, PROFESSION_PHARMACIST);
CRENEAU_SAME_ENUM_VALUE(Profession::kPaediatrician, PROFESSION_PAEDIATRICIAN);
CRENEAU_SAME_ENUM_VALUE(Profession::kPsychiatrist, PROFESSION_PSYCHIATRIST);
CRENEAU_SAME_ENUM_VALUE(Profession::kOphthalmologist,
                        PROFESSION_OPHTHALMOLOGIST);
CRENEAU_SAME_ENUM_VALUE(Profession::kDermatologist, PROFESSION_DERMATOLOGIST);
CRENEAU_SAME_ENUM_VALUE(Profession::kCardiologist, PROFESSION_CARDIOLOGIST);
CRENEAU_SAME_ENUM_VALUE(Profession::kGynaecologist, PROFESSION_GYNAECOLOGIST);
static_assert(kProfessionCount == ::creneau::v1::Profession_ARRAYSIZE);

CRENEAU_SAME_ENUM_VALUE(Modality::kUnspecified, MODALITY_UNSPECIFIED);
CRENEAU_SAME_ENUM_VALUE(Modality::kInOffice, MODALITY_IN_OFFICE);
CRENEAU_SAME_ENUM_VALUE(Modality::kHomeVisit, MODALITY_HOME_VISIT);
CRENEAU_SAME_ENUM_VALUE(Modality::kTeleconsultation, MODALITY_TELECONSULTATION);
static_assert(kModalityCount == ::creneau::v1::Modality_ARRAYSIZE);

CRENEAU_SAME_ENUM_VALUE(Visibility::kUnspecified, VISIBILITY_UNSPECIFIED);
CRENEAU_SAME_ENUM_VALUE(Visibility::kPublic, VISIBILITY_PUBLIC);
CRENEAU_SAME_ENUM_VALUE(Visibility::kProfessionals, VISIBILITY_PROFESSIONALS);
CRENEAU_SAME_ENUM_VALUE(Visibility::kRegulation, VISIBILITY_REGULATION);
CRENEAU_SAME_ENUM_VALUE(Visibility::kCptsMembers, VISIBILITY_CPTS_MEMBERS);
static_assert(kVisibilityCount == ::creneau::v1::Visibility_ARRAYSIZE);

CRENEAU_SAME_ENUM_VALUE(StructureType::kUnspecified,
                        STRUCTURE_TYPE_UNSPECIFIED);
CRENEAU_SAME_ENUM_VALUE(StructureType::kOwnPractice,
                        STRUCTURE_TYPE_OWN_PRACTICE);
CRENEAU_SAME_ENUM_VALUE(StructureType::kMsp, STRUCTURE_TYPE_MSP);
CRENEAU_SAME_ENUM_VALUE(StructureType::kHealthCentre,
                        STRUCTURE_TYPE_HEALTH_CENTRE);
CRENEAU_SAME_ENUM_VALUE(StructureType::kSosMedecins,
                        STRUCTURE_TYPE_SOS_MEDECINS);
static_assert(::creneau::v1::StructureType_ARRAYSIZE == 5);

CRENEAU_SAME_ENUM_VALUE(SlotState::kUnspecified, SLOT_STATE_UNSPECIFIED);
CRENEAU_SAME_ENUM_VALUE(SlotState::kFree, SLOT_STATE_FREE);
CRENEAU_SAME_ENUM_VALUE(SlotState::kHeld, SLOT_STATE_HELD);
CRENEAU_SAME_ENUM_VALUE(SlotState::kFull, SLOT_STATE_FULL);
CRENEAU_SAME_ENUM_VALUE(SlotState::kWithdrawn, SLOT_STATE_WITHDRAWN);
static_assert(::creneau::v1::SlotState_ARRAYSIZE == 5);

CRENEAU_SAME_ENUM_VALUE(BookingStatus::kUnspecified,
                        BOOKING_STATUS_UNSPECIFIED);
CRENEAU_SAME_ENUM_VALUE(BookingStatus::kBooked, BOOKING_STATUS_BOOKED);
CRENEAU_SAME_ENUM_VALUE(BookingStatus::kCancelled, BOOKING_STATUS_CANCELLED);
static_assert(::creneau::v1::BookingStatus_ARRAYSIZE == 3);

CRENEAU_SAME_ENUM_VALUE(SearchOrder::kSoonest, SEARCH_ORDER_SOONEST);
CRENEAU_SAME_ENUM_VALUE(SearchOrder::kNearest, SEARCH_ORDER_NEAREST);
CRENEAU_SAME_ENUM_VALUE(SearchOrder::kBalanced, SEARCH_ORDER_BALANCED);
static_assert(::creneau::v1::SearchOrder_ARRAYSIZE == 4);

CRENEAU_SAME_ENUM_VALUE(MatchReason::kWithinRadius, MATCH_REASON_WITHIN_RADIUS);
CRENEAU_SAME_ENUM_VALUE(MatchReason::kWidenedRadius,
                        MATCH_REASON_WIDENED_RADIUS);
CRENEAU_SAME_ENUM_VALUE(MatchReason::kPreferredProfessional,
                        MATCH_REASON_PREFERRED_PROFESSIONAL);
CRENEAU_SAME_ENUM_VALUE(MatchReason::kTeleconsultation,
                        MATCH_REASON_TELECONSULTATION);
static_assert(::creneau::v1::MatchReason_ARRAYSIZE == 5);

CRENEAU_SAME_ENUM_VALUE(EmptyReason::kNone, EMPTY_REASON_UNSPECIFIED);
CRENEAU_SAME_ENUM_VALUE(EmptyReason::kNoSupplyInReach,
                        EMPTY_REASON_NO_SUPPLY_IN_REACH);
CRENEAU_SAME_ENUM_VALUE(EmptyReason::kOutsideWindow,
                        EMPTY_REASON_OUTSIDE_WINDOW);
CRENEAU_SAME_ENUM_VALUE(EmptyReason::kAllTaken, EMPTY_REASON_ALL_TAKEN);
CRENEAU_SAME_ENUM_VALUE(EmptyReason::kNoMatchingSlot,
                        EMPTY_REASON_NO_MATCHING_SLOT);
CRENEAU_SAME_ENUM_VALUE(EmptyReason::kCapReached, EMPTY_REASON_CAP_REACHED);
CRENEAU_SAME_ENUM_VALUE(EmptyReason::kNoneHoldable, EMPTY_REASON_NONE_HOLDABLE);
static_assert(::creneau::v1::EmptyReason_ARRAYSIZE == 7);

CRENEAU_SAME_ENUM_VALUE(CancelReason::kUnspecified, CANCEL_REASON_UNSPECIFIED);
CRENEAU_SAME_ENUM_VALUE(CancelReason::kPatientBetter,
                        CANCEL_REASON_PATIENT_BETTER);
CRENEAU_SAME_ENUM_VALUE(CancelReason::kPatientUnreachable,
                        CANCEL_REASON_PATIENT_UNREACHABLE);
CRENEAU_SAME_ENUM_VALUE(CancelReason::kProfessionalUnavailable,
                        CANCEL_REASON_PROFESSIONAL_UNAVAILABLE);
CRENEAU_SAME_ENUM_VALUE(CancelReason::kDuplicate, CANCEL_REASON_DUPLICATE);
CRENEAU_SAME_ENUM_VALUE(CancelReason::kOther, CANCEL_REASON_OTHER);
static_assert(kCancelReasonCount == ::creneau::v1::CancelReason_ARRAYSIZE);

CRENEAU_SAME_ENUM_VALUE(TerritoryKind::kUnspecified,
                        TERRITORY_KIND_UNSPECIFIED);
CRENEAU_SAME_ENUM_VALUE(TerritoryKind::kCpts, TERRITORY_KIND_CPTS);
CRENEAU_SAME_ENUM_VALUE(TerritoryKind::kSasArea, TERRITORY_KIND_SAS_AREA);
CRENEAU_SAME_ENUM_VALUE(TerritoryKind::kNational, TERRITORY_KIND_NATIONAL);
CRENEAU_SAME_ENUM_VALUE(TerritoryKind::kOther, TERRITORY_KIND_OTHER);
static_assert(kTerritoryKindCount == ::creneau::v1::TerritoryKind_ARRAYSIZE);

CRENEAU_SAME_ENUM_VALUE(SubjectKind::kSlot, AuditSubject::KIND_SLOT);
CRENEAU_SAME_ENUM_VALUE(SubjectKind::kBooking, AuditSubject::KIND_BOOKING);
CRENEAU_SAME_ENUM_VALUE(SubjectKind::kProfessional,
                        AuditSubject::KIND_PROFESSIONAL);
CRENEAU_SAME_ENUM_VALUE(SubjectKind::kTerritory, AuditSubject::KIND_TERRITORY);
static_assert(::creneau::v1::AuditSubject::Kind_ARRAYSIZE == 5);

#undef CRENEAU_SAME_ENUM_VALUE

}  // namespace creneau::server::internal

#endif  // CRENEAU_SERVER_INTERNAL_ENUMS_H_
