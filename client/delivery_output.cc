// Handing delivered documents to the agency: files or HTTP POST (cpp-httplib).
#include "client/delivery_output.h"

#include <httplib.h>

#include <cstdio>

#include "common/files.h"

namespace muster::cli {
namespace {

class FileOutput : public DeliveryOutput {
 public:
  explicit FileOutput(std::string dir) : dir_(std::move(dir)) {}
  std::string Describe() const override { return "directory " + dir_; }
  Status Hand(uint64_t seq, const std::string& document, const DeliveryHeaders&) override {
    return WriteFileAtomic(JoinPath(dir_, DeliveryFileName(seq)), document, 0644);
  }

 private:
  std::string dir_;
};

class HttpOutput : public DeliveryOutput {
 public:
  HttpOutput(std::string url, std::string origin, std::string path, std::string content_type)
      : url_(std::move(url)),
        path_(std::move(path)),
        content_type_(std::move(content_type)),
        client_(origin) {
    client_.set_connection_timeout(5, 0);
    client_.set_read_timeout(15, 0);
    client_.set_write_timeout(15, 0);
  }
  std::string Describe() const override { return "POST " + url_; }
  Status Hand(uint64_t seq, const std::string& document, const DeliveryHeaders& extra) override {
    httplib::Headers headers = {{"X-Muster-Seq", std::to_string(seq)}};
    headers.insert(extra.begin(), extra.end());
    auto res = client_.Post(path_, headers, document, content_type_);
    if (!res) return Status::Unavailable("POST " + url_ + ": " + httplib::to_string(res.error()));
    if (res->status < 200 || res->status > 299) {
      return Status::Unavailable("POST " + url_ + ": HTTP " + std::to_string(res->status));
    }
    return Status::Ok();
  }

 private:
  std::string url_;
  std::string path_;
  std::string content_type_;
  httplib::Client client_;
};

}  // namespace

std::string DeliveryFileName(uint64_t seq) {
  char name[40];
  std::snprintf(name, sizeof(name), "%012llu.xml", static_cast<unsigned long long>(seq));
  return name;
}

Result<std::unique_ptr<DeliveryOutput>> NewFileDeliveryOutput(const std::string& dir) {
  if (Status s = MakeDirs(dir, 0755); !s.ok())
    return Status::InvalidArgument("--out: " + s.message());
  return std::unique_ptr<DeliveryOutput>(new FileOutput(dir));
}

Result<std::unique_ptr<DeliveryOutput>> NewHttpDeliveryOutput(const std::string& url,
                                                              std::string content_type) {
  size_t scheme_end = url.find("://");
  std::string scheme = scheme_end == std::string::npos ? "" : url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") {
    return Status::InvalidArgument("--post '" + url + "': give an http:// or https:// URL");
  }
  size_t path_start = url.find('/', scheme_end + 3);
  std::string origin = path_start == std::string::npos ? url : url.substr(0, path_start);
  std::string path = path_start == std::string::npos ? "/" : url.substr(path_start);
  if (origin.size() <= scheme_end + 3)
    return Status::InvalidArgument("--post '" + url + "': no host");
  try {
    return std::unique_ptr<DeliveryOutput>(
        new HttpOutput(url, origin, path, std::move(content_type)));
  } catch (const std::exception& e) {
    return Status::InvalidArgument("--post '" + url + "': " + e.what());
  }
}

}  // namespace muster::cli
