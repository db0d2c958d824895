#include "server/fingerprint.h"

#include <memory>
#include <string>

#include "engine/check.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "openssl/evp.h"

namespace creneau::server {

uint64_t RequestFingerprint(absl::string_view method,
                            const google::protobuf::Message& request) {
  std::unique_ptr<google::protobuf::Message> copy(request.New());
  copy->CopyFrom(request);
  const google::protobuf::FieldDescriptor* request_id =
      copy->GetDescriptor()->FindFieldByName("request_id");
  if (request_id != nullptr)
    copy->GetReflection()->ClearField(copy.get(), request_id);

  std::string bytes(method.data(), method.size());
  bytes.push_back('\0');
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    CRENEAU_CHECK(copy->SerializeToCodedStream(&coded));
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  CRENEAU_CHECK(EVP_Digest(bytes.data(), bytes.size(), digest, &size,
                           EVP_sha256(), nullptr) == 1);
  uint64_t fingerprint = 0;
  for (int i = 0; i < 8; ++i) fingerprint = (fingerprint << 8) | digest[i];
  return fingerprint;
}

}  // namespace creneau::server
