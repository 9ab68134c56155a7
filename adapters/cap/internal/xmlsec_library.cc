// Once-only initialisation and exit-time shutdown of libxml2 and xmlsec, and per-thread routing
// of xmlsec's error reports.
#include "adapters/cap/internal/xmlsec_library.h"

#include <libxml/parser.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/io.h>
#include <xmlsec/xmlsec.h>

#include <algorithm>
#include <cstddef>

namespace muster::cap::internal {
namespace {

constexpr size_t kMaxReports = 8;

thread_local XmlSecErrorLog* current_log = nullptr;

// xmlsec's reason codes have fixed texts; the message adds the detail ("data and digest do not
// match", OpenSSL's own words). Function names and source lines are left out.
std::string ReasonText(int reason) {
  for (xmlSecSize i = 0; xmlSecErrorsGetMsg(i) != nullptr; ++i) {
    if (xmlSecErrorsGetCode(i) == reason) return xmlSecErrorsGetMsg(i);
  }
  return "error " + std::to_string(reason);
}

void OnXmlSecError(const char* /*file*/, int /*line*/, const char* /*func*/,
                   const char* error_object, const char* error_subject, int reason,
                   const char* msg) {
  if (current_log == nullptr) return;
  std::string report = ReasonText(reason);
  if (error_subject != nullptr && *error_subject != '\0' && error_object != nullptr &&
      *error_object != '\0') {
    report = std::string(error_object) + ": " + report;
  }
  if (msg != nullptr && *msg != '\0' && std::string_view(msg) != " ") {
    report += " (";
    report += msg;
    report += ")";
  }
  current_log->Add(report);
}

class XmlSecLibrary {
 public:
  XmlSecLibrary() {
    xmlInitParser();
    if (xmlSecInit() < 0) {
      status_ = Status::Internal("xmlsec could not be initialised");
      return;
    }
    initialised_ = true;
    if (xmlSecCheckVersion() != 1) {
      status_ = Status::Internal(
          "the loaded xmlsec library is not the version Muster was built "
          "against; reinstall libxmlsec1");
      return;
    }
    if (xmlSecCryptoAppInit(nullptr) < 0) {
      status_ = Status::Internal("xmlsec's OpenSSL back end could not be initialised");
      return;
    }
    app_initialised_ = true;
    if (xmlSecCryptoInit() < 0) {
      status_ = Status::Internal("xmlsec's OpenSSL transforms could not be registered");
      return;
    }
    crypto_initialised_ = true;
    xmlSecErrorsSetCallback(OnXmlSecError);
    // No file, http or ftp input for references: only same-document ones are processed.
    xmlSecIOCleanupCallbacks();
    keys_manager_ = xmlSecKeysMngrCreate();
    if (keys_manager_ == nullptr || xmlSecCryptoAppDefaultKeysMngrInit(keys_manager_) < 0) {
      status_ = Status::Internal("xmlsec's keys manager could not be created");
    }
  }

  ~XmlSecLibrary() {
    if (keys_manager_ != nullptr) xmlSecKeysMngrDestroy(keys_manager_);
    if (crypto_initialised_) xmlSecCryptoShutdown();
    if (app_initialised_) xmlSecCryptoAppShutdown();
    if (initialised_) xmlSecShutdown();
    xmlCleanupParser();
  }

  XmlSecLibrary(const XmlSecLibrary&) = delete;
  XmlSecLibrary& operator=(const XmlSecLibrary&) = delete;

  const Status& status() const { return status_; }
  xmlSecKeysMngr* keys_manager() const { return status_.ok() ? keys_manager_ : nullptr; }

 private:
  Status status_;
  xmlSecKeysMngr* keys_manager_ = nullptr;
  bool initialised_ = false;
  bool app_initialised_ = false;
  bool crypto_initialised_ = false;
};

XmlSecLibrary& Library() {
  static XmlSecLibrary library;
  return library;
}

}  // namespace

Status EnsureXmlSecReady() { return Library().status(); }

xmlSecKeysMngr* SharedKeysManager() { return Library().keys_manager(); }

XmlSecErrorLog::XmlSecErrorLog() : outer_(current_log) { current_log = this; }

XmlSecErrorLog::~XmlSecErrorLog() { current_log = outer_; }

void XmlSecErrorLog::Add(const std::string& report) {
  if (reports_.size() < kMaxReports &&
      std::find(reports_.begin(), reports_.end(), report) == reports_.end()) {
    reports_.push_back(report);
  }
}

std::string XmlSecErrorLog::Text() const {
  if (reports_.empty()) return "no detail";
  // xmlsec reports each failure again at every level of its call chain as "xmlsec library
  // function failed"; those say nothing when a more specific report exists.
  auto generic = [](const std::string& r) {
    return r.find("xmlsec library function failed") != std::string::npos;
  };
  bool any_specific = !std::all_of(reports_.begin(), reports_.end(), generic);
  std::string out;
  for (const auto& r : reports_) {
    if (any_specific && generic(r)) continue;
    if (!out.empty()) out += "; ";
    out += r;
  }
  return out;
}

}  // namespace muster::cap::internal
