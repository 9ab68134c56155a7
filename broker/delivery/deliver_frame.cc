// Deliver frame construction.
#include "broker/delivery/deliver_frame.h"

#include <capnp/message.h>
#include <kj/exception.h>

#include "schemas/frame_codec.h"
#include "schemas/store.capnp.h"

namespace muster::delivery {

std::string KindOf(schema::Envelope::Reader envelope) {
  switch (envelope.getBody().which()) {
    case schema::Envelope::Body::ALERT: return "alert";
    case schema::Envelope::Body::LIAISON: return "liaison";
    case schema::Envelope::Body::EQUIPMENT: return "equipment";
    default: return "none";
  }
}

std::string StatusOf(schema::Envelope::Reader envelope) {
  switch (envelope.getStatus()) {
    case schema::MessageStatus::ACTUAL: return "actual";
    case schema::MessageStatus::EXERCISE: return "exercise";
    case schema::MessageStatus::TEST: return "test";
    case schema::MessageStatus::SYSTEM: return "system";
  }
  return "actual";
}

std::string ActionOf(schema::Envelope::Reader envelope) {
  using L = schema::LiaisonAssignment::Action;
  using E = schema::EquipmentRequest::Action;
  switch (envelope.getBody().which()) {
    case schema::Envelope::Body::LIAISON:
      switch (envelope.getBody().getLiaison().getAction()) {
        case L::PROPOSE: return "propose";
        case L::ACCEPT: return "accept";
        case L::DECLINE: return "decline";
        case L::ARRIVE: return "arrive";
        case L::HANDOVER: return "handover";
        case L::RELEASE: return "release";
      }
      return "";
    case schema::Envelope::Body::EQUIPMENT:
      switch (envelope.getBody().getEquipment().getAction()) {
        case E::REQUEST: return "request";
        case E::OFFER: return "offer";
        case E::COMMIT: return "commit";
        case E::DECLINE: return "decline";
        case E::DISPATCH: return "dispatch";
        case E::DELIVER: return "deliver";
        case E::RETURN: return "return";
        case E::CANCEL: return "cancel";
        case E::RELEASE: return "release";
        case E::STATUS_REQUEST: return "status-request";
        case E::STATUS_REPORT: return "status-report";
      }
      return "";
    default:
      return "";
  }
}

Result<DeliverFrame> BuildDeliverFrame(std::string_view stored_message, uint32_t redelivery_count,
                                       const std::string& matched_term) {
  auto decoded = wire::DecodedStruct::Decode(stored_message.data(), stored_message.size());
  if (!decoded.ok()) return decoded.status();
  try {
    auto stored = (*decoded)->Get<schema::StoredMessage>();
    auto env = stored.getEnvelope();
    capnp::MallocMessageBuilder m(static_cast<unsigned>(stored_message.size() / 8 + 64));
    auto deliver = m.initRoot<schema::Frame>().initDeliver();
    deliver.setSeq(env.getSeq());
    deliver.setEnvelope(env);
    deliver.setRedeliveryCount(redelivery_count);
    deliver.setMatchedTerm(matched_term);
    return DeliverFrame{wire::EncodeFrame(m), env.getExpiresMillis(), env.getIncident(), KindOf(env),
                        StatusOf(env), ActionOf(env), static_cast<int>(env.getClassification())};
  } catch (const kj::Exception& e) {
    return Status::Corruption(std::string("stored message: ") + e.getDescription().cStr());
  }
}

}  // namespace muster::delivery
