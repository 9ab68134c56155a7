// The exact CAP 1.2 spellings of each enumeration and the schema value they map to, shared by the
// parser (text -> enum, case-sensitive) and the writer (enum -> text).
#pragma once

#include <cstddef>
#include <string_view>

#include "schemas/alert.capnp.h"

namespace muster::cap::internal {

template <typename E>
struct EnumSpelling {
  std::string_view text;
  E value;
};

using schema::Alert;

inline constexpr EnumSpelling<Alert::CapStatus> kStatusSpellings[] = {
    {"Actual", Alert::CapStatus::ACTUAL},
    {"Exercise", Alert::CapStatus::EXERCISE},
    {"System", Alert::CapStatus::SYSTEM},
    {"Test", Alert::CapStatus::TEST},
    {"Draft", Alert::CapStatus::DRAFT}};

inline constexpr EnumSpelling<Alert::MsgType> kMsgTypeSpellings[] = {
    {"Alert", Alert::MsgType::ALERT},
    {"Update", Alert::MsgType::UPDATE},
    {"Cancel", Alert::MsgType::CANCEL},
    {"Ack", Alert::MsgType::ACK},
    {"Error", Alert::MsgType::ERROR}};

inline constexpr EnumSpelling<Alert::Scope> kScopeSpellings[] = {
    {"Public", Alert::Scope::PUBLIC},
    {"Restricted", Alert::Scope::RESTRICTED},
    {"Private", Alert::Scope::PRIVATE}};

inline constexpr EnumSpelling<Alert::Category> kCategorySpellings[] = {
    {"Geo", Alert::Category::GEO},
    {"Met", Alert::Category::MET},
    {"Safety", Alert::Category::SAFETY},
    {"Security", Alert::Category::SECURITY},
    {"Rescue", Alert::Category::RESCUE},
    {"Fire", Alert::Category::FIRE},
    {"Health", Alert::Category::HEALTH},
    {"Env", Alert::Category::ENV},
    {"Transport", Alert::Category::TRANSPORT},
    {"Infra", Alert::Category::INFRA},
    {"CBRNE", Alert::Category::CBRNE},
    {"Other", Alert::Category::OTHER}};

inline constexpr EnumSpelling<Alert::ResponseType> kResponseTypeSpellings[] = {
    {"Shelter", Alert::ResponseType::SHELTER}, {"Evacuate", Alert::ResponseType::EVACUATE},
    {"Prepare", Alert::ResponseType::PREPARE}, {"Execute", Alert::ResponseType::EXECUTE},
    {"Avoid", Alert::ResponseType::AVOID},     {"Monitor", Alert::ResponseType::MONITOR},
    {"Assess", Alert::ResponseType::ASSESS},   {"AllClear", Alert::ResponseType::ALL_CLEAR},
    {"None", Alert::ResponseType::NONE}};

inline constexpr EnumSpelling<Alert::Urgency> kUrgencySpellings[] = {
    {"Immediate", Alert::Urgency::IMMEDIATE},
    {"Expected", Alert::Urgency::EXPECTED},
    {"Future", Alert::Urgency::FUTURE},
    {"Past", Alert::Urgency::PAST},
    {"Unknown", Alert::Urgency::UNKNOWN}};

inline constexpr EnumSpelling<Alert::Severity> kSeveritySpellings[] = {
    {"Extreme", Alert::Severity::EXTREME},
    {"Severe", Alert::Severity::SEVERE},
    {"Moderate", Alert::Severity::MODERATE},
    {"Minor", Alert::Severity::MINOR},
    {"Unknown", Alert::Severity::UNKNOWN}};

inline constexpr EnumSpelling<Alert::Certainty> kCertaintySpellings[] = {
    {"Observed", Alert::Certainty::OBSERVED},
    {"Likely", Alert::Certainty::LIKELY},
    {"Possible", Alert::Certainty::POSSIBLE},
    {"Unlikely", Alert::Certainty::UNLIKELY},
    {"Unknown", Alert::Certainty::UNKNOWN}};

// The CAP spelling of `value`, or "" for `unset` (and any value not in the table).
template <typename E, size_t N>
constexpr std::string_view SpellingOf(const EnumSpelling<E> (&table)[N], E value) {
  for (const auto& entry : table) {
    if (entry.value == value) return entry.text;
  }
  return {};
}

}  // namespace muster::cap::internal
