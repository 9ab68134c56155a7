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
    return DeliverFrame{wire::EncodeFrame(m), env.getExpiresMillis(), env.getIncident(), KindOf(env)};
  } catch (const kj::Exception& e) {
    return Status::Corruption(std::string("stored message: ") + e.getDescription().cStr());
  }
}

}  // namespace muster::delivery
