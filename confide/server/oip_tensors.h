// Open Inference Protocol v2 REST tensors (notes/protocols.md §5.1; kserve open-inference-protocol
// specification/protocol/inference_rest.md; Triton extension_binary_data.md): the JSON request and
// response bodies, and the binary-data extension, to and from engine tensors. Used by the server
// and by the client, so both sides speak exactly one codec.
//
//   CONFIDE_ASSIGN_OR_RETURN(InferRequest req, ParseInferRequest(body, header_len, limits));
//   EncodedBody out = EncodeInferResponse({.model_name = "mnist8", .id = req.id}, outputs, true);
#ifndef CONFIDE_SERVER_OIP_TENSORS_H_
#define CONFIDE_SERVER_OIP_TENSORS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "confide/base/result.h"
#include "confide/engine/engine.h"

namespace confide::server {

// "FP32", "INT64", "BOOL", ...; "" for kUndefined.
std::string_view OipDatatypeName(engine::DataType t);
// The inverse. kInvalidArgument for unknown names and for FP16/BF16/BYTES (not in the engine).
Result<engine::DataType> OipDatatypeFromName(std::string_view name);

struct TensorLimits {
  size_t max_tensor_bytes = size_t{64} << 20;  // per input tensor
  size_t max_num_inputs = 64;
};

struct InferRequest {
  std::string id;                    // echoed back; may be empty
  engine::NamedTensors inputs;       // owned tensors, in request order
  std::vector<std::string> outputs;  // requested output names; empty = all
  bool binary_output = false;        // "binary_data_output" or any output's binary_data: true
};

// Parses a request body. `json_len` is the Inference-Header-Content-Length header (binary-data
// extension): the body is then JSON of that length followed by raw tensors in input order, each
// sized by its parameters.binary_data_size. kInvalidArgument with an OIP-style message for
// malformed JSON, unknown datatype, shape/data mismatch, a bad or overflowing binary section,
// trailing bytes, or a limit exceeded. Does not check against any model.
Result<InferRequest> ParseInferRequest(std::string_view body, std::optional<size_t> json_len,
                                       const TensorLimits& limits);

struct EncodedBody {
  std::string body;
  std::optional<size_t> json_len;  // set when binary tensors follow the JSON
};

struct ResponseHeader {
  std::string model_name;
  std::string model_version;  // omitted from the JSON when empty
  std::string id;             // omitted when empty
};

// A response body; with `binary` the outputs' data follow the JSON (binary_data_size set).
EncodedBody EncodeInferResponse(const ResponseHeader& header, const engine::NamedTensors& outputs,
                                bool binary);
// Encodes a request (the client's side); with `binary` the inputs travel as raw bytes and
// binary output is asked for.
EncodedBody EncodeInferRequest(const engine::NamedTensors& inputs, bool binary);

// Parses a response body into tensors (the client's side). kMalformed for anything unexpected.
Result<engine::NamedTensors> ParseInferResponse(std::string_view body,
                                                std::optional<size_t> json_len);

}  // namespace confide::server

#endif  // CONFIDE_SERVER_OIP_TENSORS_H_
