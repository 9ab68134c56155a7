// Opening one agency's state and connection options.
#include "adapters/gateway/agency.h"

#include "common/files.h"
#include "security/curve_keys.h"

namespace muster::gateway {

Result<std::unique_ptr<Agency>> OpenAgency(const GatewayConfig& config, const AgencyConfig& a,
                                           zmq::context_t& context, Logger& log) {
  const std::string label = "agency '" + a.name + "'";
  auto key = security::LoadCurveSecretKeyFile(a.key_file);
  if (!key.ok()) return key.status().WithContext(label + ": key_file");
  auto agency = std::make_unique<Agency>();
  agency->config = a;
  agency->connect.broker = config.broker;
  agency->connect.key_file = a.key_file;
  agency->connect.server_key = config.server_key;
  agency->connect.client_name = "muster-gateway";
  agency->connect.timeout_ms = static_cast<int>(config.connect_timeout_ms);
  const std::string dir = JoinPath(JoinPath(config.state_dir, "agencies"), a.name);
  MUSTER_RETURN_IF_ERROR(MakeDirs(dir, 0700).WithContext(label));
  auto submissions = SubmissionStore::Open(JoinPath(dir, "outbox"));
  if (!submissions.ok()) return submissions.status().WithContext(label);
  agency->submissions = std::move(submissions).value();
  auto journal = EventJournal::Open(JoinPath(dir, "events"), config.max_replay_events);
  if (!journal.ok()) return journal.status().WithContext(label);
  agency->journal = std::move(journal).value();
  agency->link =
      std::make_unique<BrokerLink>(context, agency->connect, a.name, *agency->submissions, log);
  return agency;
}

}  // namespace muster::gateway
