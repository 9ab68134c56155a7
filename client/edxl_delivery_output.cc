// Handing delivered EDXL-RM documents to the agency: files or HTTP POST (cpp-httplib).
#include "client/edxl_delivery_output.h"

#include <httplib.h>

#include <cstdio>

#include "common/files.h"

namespace muster::cli {
namespace {

class FileOutput : public EdxlDeliveryOutput {
 public:
  explicit FileOutput(std::string dir) : dir_(std::move(dir)) {}
  std::string Describe() const override { return "directory " + dir_; }
  Status Hand(uint64_t seq, const std::string&, const std::string& xml) override {
    return WriteFileAtomic(JoinPath(dir_, EdxlDeliveryFileName(seq)), xml, 0644);
  }

 private:
  std::string dir_;
};

class HttpOutput : public EdxlDeliveryOutput {
 public:
  HttpOutput(std::string url, std::string origin, std::string path)
      : url_(std::move(url)), path_(std::move(path)), client_(origin) {
    client_.set_connection_timeout(5, 0);
    client_.set_read_timeout(15, 0);
    client_.set_write_timeout(15, 0);
  }
  std::string Describe() const override { return "POST " + url_; }
  Status Hand(uint64_t seq, const std::string& message_id, const std::string& xml) override {
    httplib::Headers headers = {{"X-Muster-Seq", std::to_string(seq)}, {"X-EDXL-MessageID", message_id}};
    auto res = client_.Post(path_, headers, xml, "application/xml");
    if (!res) return Status::Unavailable("POST " + url_ + ": " + httplib::to_string(res.error()));
    if (res->status < 200 || res->status > 299) {
      return Status::Unavailable("POST " + url_ + ": HTTP " + std::to_string(res->status));
    }
    return Status::Ok();
  }

 private:
  std::string url_;
  std::string path_;
  httplib::Client client_;
};

}  // namespace

std::string EdxlDeliveryFileName(uint64_t seq) {
  char name[40];
  std::snprintf(name, sizeof(name), "%012llu.xml", static_cast<unsigned long long>(seq));
  return name;
}

Result<std::unique_ptr<EdxlDeliveryOutput>> NewEdxlFileOutput(const std::string& dir) {
  if (Status s = MakeDirs(dir, 0755); !s.ok()) return Status::InvalidArgument("--out: " + s.message());
  return std::unique_ptr<EdxlDeliveryOutput>(new FileOutput(dir));
}

Result<std::unique_ptr<EdxlDeliveryOutput>> NewEdxlHttpOutput(const std::string& url) {
  size_t scheme_end = url.find("://");
  std::string scheme = scheme_end == std::string::npos ? "" : url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") {
    return Status::InvalidArgument("--post '" + url + "': give an http:// or https:// URL");
  }
  size_t path_start = url.find('/', scheme_end + 3);
  std::string origin = path_start == std::string::npos ? url : url.substr(0, path_start);
  std::string path = path_start == std::string::npos ? "/" : url.substr(path_start);
  if (origin.size() <= scheme_end + 3) return Status::InvalidArgument("--post '" + url + "': no host");
  try {
    return std::unique_ptr<EdxlDeliveryOutput>(new HttpOutput(url, origin, path));
  } catch (const std::exception& e) {
    return Status::InvalidArgument("--post '" + url + "': " + e.what());
  }
}

}  // namespace muster::cli
