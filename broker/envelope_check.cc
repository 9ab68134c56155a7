// Generic envelope bounds and enumeration checks.
#include "broker/envelope_check.h"

#include <algorithm>

namespace muster::broker {
namespace {

bool NeedsCheck(capnp::Type type) {
  switch (type.which()) {
    case capnp::schema::Type::TEXT:
    case capnp::schema::Type::DATA:
    case capnp::schema::Type::ENUM:
    case capnp::schema::Type::STRUCT:
    case capnp::schema::Type::LIST:
      return true;
    default:
      return false;
  }
}

Status CheckTerm(const std::string& kind, capnp::List<capnp::Text>::Reader terms, size_t max) {
  for (auto t : terms) {
    if (t.size() == 0 || t.size() > max) {
      return Status::InvalidArgument("addressing." + kind + ": a term must be 1.." + std::to_string(max) +
                                     " characters");
    }
  }
  return Status::Ok();
}

std::string Join(const std::string& path, const std::string& name) {
  return path.empty() ? name : path + "." + name;
}

}  // namespace

bool IsValidClientMessageId(const std::string& id, size_t max_bytes) {
  if (id.empty() || id.size() > max_bytes) return false;
  for (char c : id) {
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}

const EnvelopeChecker::StructPlan& EnvelopeChecker::PlanFor(capnp::StructSchema schema) {
  auto it = plans_.find(schema.getProto().getId());
  if (it != plans_.end()) return it->second;
  // Insert first so that a recursive schema finds itself (with has_enums still false).
  StructPlan& plan = plans_[schema.getProto().getId()];
  std::vector<FieldPlan> plain, members;
  bool has_union = false, has_enums = false;
  auto note = [&](capnp::Type type) {
    while (type.isList()) type = type.asList().getElementType();
    if (type.isEnum()) has_enums = true;
    if (type.isStruct() && PlanFor(type.asStruct()).has_enums) has_enums = true;
  };
  for (auto field : schema.getNonUnionFields()) {
    capnp::Type type = field.getType();
    if (!NeedsCheck(type)) continue;
    note(type);
    plain.push_back({field, type, field.getProto().getName().cStr()});
  }
  for (auto field : schema.getUnionFields()) {
    has_union = true;
    capnp::Type type = field.getType();
    note(type);
    members.push_back({field, type, field.getProto().getName().cStr()});
  }
  StructPlan& done = plans_[schema.getProto().getId()];
  done.plain = std::move(plain);
  done.members = std::move(members);
  done.has_union = has_union;
  done.has_enums = has_enums;
  (void)plan;
  return done;
}

bool EnvelopeChecker::Relevant(capnp::Type type) {
  if (!NeedsCheck(type)) return false;
  if (!enums_only_) return true;
  while (type.isList()) type = type.asList().getElementType();
  if (type.isEnum()) return true;
  return type.isStruct() && PlanFor(type.asStruct()).has_enums;
}

Status EnvelopeChecker::Struct(capnp::DynamicStruct::Reader s, const std::string& path) {
  const StructPlan& plan = PlanFor(s.getSchema());
  for (const auto& f : plan.plain) {
    if (!Relevant(f.type) || !s.has(f.field, capnp::HasMode::NON_DEFAULT)) continue;
    MUSTER_RETURN_IF_ERROR(Value(s.get(f.field), f.type, Join(path, f.name)));
  }
  if (plan.has_union) {
    KJ_IF_MAYBE(active, s.which()) {
      for (const auto& f : plan.members) {
        if (f.field != *active) continue;
        if (Relevant(f.type) && s.has(f.field, capnp::HasMode::NON_DEFAULT)) {
          MUSTER_RETURN_IF_ERROR(Value(s.get(f.field), f.type, Join(path, f.name)));
        }
      }
    } else {
      return Status::InvalidArgument(Join(path, "(union)") + ": unknown member (newer client?)");
    }
  }
  return Status::Ok();
}

Status EnvelopeChecker::Value(capnp::DynamicValue::Reader v, capnp::Type type, const std::string& p) {
  switch (type.which()) {
    case capnp::schema::Type::TEXT: {
      auto t = v.as<capnp::Text>();
      if (t.size() > limits_.max_text_bytes) {
        return Status::InvalidArgument(p + ": " + std::to_string(t.size()) + " bytes exceeds the limit of " +
                                       std::to_string(limits_.max_text_bytes));
      }
      return Status::Ok();
    }
    case capnp::schema::Type::DATA: {
      auto d = v.as<capnp::Data>();
      size_t limit = p == "original.bytes" ? limits_.max_original_bytes : limits_.max_text_bytes;
      if (d.size() > limit) {
        return Status::InvalidArgument(p + ": " + std::to_string(d.size()) + " bytes exceeds the limit of " +
                                       std::to_string(limit));
      }
      return Status::Ok();
    }
    case capnp::schema::Type::ENUM: {
      auto e = v.as<capnp::DynamicEnum>();
      if (e.getEnumerant() == nullptr) {
        return Status::InvalidArgument(p + ": unknown value " + std::to_string(e.getRaw()));
      }
      return Status::Ok();
    }
    case capnp::schema::Type::STRUCT:
      return Struct(v.as<capnp::DynamicStruct>(), p);
    case capnp::schema::Type::LIST: {
      auto list = v.as<capnp::DynamicList>();
      if (list.size() > limits_.max_list_items) {
        return Status::InvalidArgument(p + ": " + std::to_string(list.size()) + " items exceeds the limit of " +
                                       std::to_string(limits_.max_list_items));
      }
      auto element = type.asList().getElementType();
      if (!Relevant(element)) return Status::Ok();
      for (uint i = 0; i < list.size(); ++i) {
        MUSTER_RETURN_IF_ERROR(Value(list[i], element, p + "[" + std::to_string(i) + "]"));
      }
      return Status::Ok();
    }
    default:
      return Status::Ok();
  }
}

Status EnvelopeChecker::Check(const std::string& client_message_id, schema::Envelope::Reader envelope,
                              size_t frame_bytes) {
  enums_only_ = frame_bytes <= std::min(limits_.max_text_bytes, limits_.max_list_items);
  if (!IsValidClientMessageId(client_message_id, limits_.max_id_bytes)) {
    return Status::InvalidArgument("clientMessageId must be 1.." + std::to_string(limits_.max_id_bytes) +
                                   " printable characters without spaces");
  }
  MUSTER_RETURN_IF_ERROR(Struct(capnp::toDynamic(envelope), ""));
  if (envelope.getBody().which() == schema::Envelope::Body::NONE) {
    return Status::InvalidArgument("body: a message needs a body (alert, liaison or equipment)");
  }
  if (envelope.getIncident().size() > limits_.max_id_bytes) {
    return Status::InvalidArgument("incident: at most " + std::to_string(limits_.max_id_bytes) + " characters");
  }
  auto a = envelope.getAddressing();
  MUSTER_RETURN_IF_ERROR(CheckTerm("principals", a.getPrincipals(), limits_.max_id_bytes));
  MUSTER_RETURN_IF_ERROR(CheckTerm("organisations", a.getOrganisations(), limits_.max_id_bytes));
  MUSTER_RETURN_IF_ERROR(CheckTerm("sectors", a.getSectors(), limits_.max_id_bytes));
  MUSTER_RETURN_IF_ERROR(CheckTerm("roles", a.getRoles(), limits_.max_id_bytes));
  MUSTER_RETURN_IF_ERROR(CheckTerm("areas", a.getAreas(), limits_.max_id_bytes));
  return Status::Ok();  // kind-specific rules (CAP 1.2 for alerts) are the kind plugins' job
}

Status CheckEnvelope(const std::string& client_message_id, schema::Envelope::Reader envelope,
                     const EnvelopeLimits& limits) {
  return EnvelopeChecker(limits).Check(client_message_id, envelope);
}

}  // namespace muster::broker
