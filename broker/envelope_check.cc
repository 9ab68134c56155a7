// Generic envelope bounds and enumeration checks.
#include "broker/envelope_check.h"

#include <capnp/dynamic.h>
#include <capnp/schema.h>

namespace muster::broker {
namespace {

class Checker {
 public:
  explicit Checker(const EnvelopeLimits& limits) : limits_(limits) {}

  Status Struct(capnp::DynamicStruct::Reader s, const std::string& path) {
    for (auto field : s.getSchema().getNonUnionFields()) {
      MUSTER_RETURN_IF_ERROR(Field(s, field, path));
    }
    if (s.getSchema().getUnionFields().size() > 0) {
      KJ_IF_MAYBE(active, s.which()) {
        MUSTER_RETURN_IF_ERROR(Field(s, *active, path));
      } else {
        return Status::InvalidArgument(Join(path, "(union)") + ": unknown member (newer client?)");
      }
    }
    return Status::Ok();
  }

 private:
  static std::string Join(const std::string& path, kj::StringPtr name) {
    return path.empty() ? std::string(name.cStr()) : path + "." + name.cStr();
  }

  Status Field(capnp::DynamicStruct::Reader s, capnp::StructSchema::Field field, const std::string& path) {
    std::string p = Join(path, field.getProto().getName());
    if (!s.has(field, capnp::HasMode::NON_DEFAULT)) return Status::Ok();
    return Value(s.get(field), field.getType(), p);
  }

  Status Value(capnp::DynamicValue::Reader v, capnp::Type type, const std::string& p) {
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
        for (uint i = 0; i < list.size(); ++i) {
          MUSTER_RETURN_IF_ERROR(Value(list[i], element, p + "[" + std::to_string(i) + "]"));
        }
        return Status::Ok();
      }
      default:
        return Status::Ok();
    }
  }

  const EnvelopeLimits& limits_;
};

Status CheckTerm(const std::string& kind, capnp::List<capnp::Text>::Reader terms, size_t max) {
  for (auto t : terms) {
    if (t.size() == 0 || t.size() > max) {
      return Status::InvalidArgument("addressing." + kind + ": a term must be 1.." + std::to_string(max) +
                                     " characters");
    }
  }
  return Status::Ok();
}

}  // namespace

bool IsValidClientMessageId(const std::string& id, size_t max_bytes) {
  if (id.empty() || id.size() > max_bytes) return false;
  for (char c : id) {
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}

Status CheckEnvelope(const std::string& client_message_id, schema::Envelope::Reader envelope,
                     const EnvelopeLimits& limits) {
  if (!IsValidClientMessageId(client_message_id, limits.max_id_bytes)) {
    return Status::InvalidArgument("clientMessageId must be 1.." + std::to_string(limits.max_id_bytes) +
                                   " printable characters without spaces");
  }
  MUSTER_RETURN_IF_ERROR(Checker(limits).Struct(capnp::toDynamic(envelope), ""));
  if (envelope.getBody().which() == schema::Envelope::Body::NONE) {
    return Status::InvalidArgument("body: a message needs a body (alert, liaison or equipment)");
  }
  if (envelope.getIncident().size() > limits.max_id_bytes) {
    return Status::InvalidArgument("incident: at most " + std::to_string(limits.max_id_bytes) + " characters");
  }
  auto a = envelope.getAddressing();
  MUSTER_RETURN_IF_ERROR(CheckTerm("principals", a.getPrincipals(), limits.max_id_bytes));
  MUSTER_RETURN_IF_ERROR(CheckTerm("organisations", a.getOrganisations(), limits.max_id_bytes));
  MUSTER_RETURN_IF_ERROR(CheckTerm("sectors", a.getSectors(), limits.max_id_bytes));
  MUSTER_RETURN_IF_ERROR(CheckTerm("roles", a.getRoles(), limits.max_id_bytes));
  MUSTER_RETURN_IF_ERROR(CheckTerm("areas", a.getAreas(), limits.max_id_bytes));
  if (envelope.getBody().which() == schema::Envelope::Body::ALERT) {
    auto alert = envelope.getBody().getAlert();
    if (alert.getInfos().size() == 0 || alert.getInfos()[0].getEvent().size() == 0) {
      return Status::InvalidArgument("body.alert: an alert needs at least one info block with an event");
    }
  }
  return Status::Ok();
}

}  // namespace muster::broker
