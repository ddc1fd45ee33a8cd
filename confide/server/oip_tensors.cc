#include "confide/server/oip_tensors.h"

#include <array>
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>
#include <utility>

namespace confide::server {

namespace {

using engine::DataType;
using engine::Tensor;
using nlohmann::json;

constexpr std::array<std::pair<DataType, std::string_view>, 12> kNames = {{
    {DataType::kBool, "BOOL"},     {DataType::kUint8, "UINT8"},   {DataType::kUint16, "UINT16"},
    {DataType::kUint32, "UINT32"}, {DataType::kUint64, "UINT64"}, {DataType::kInt8, "INT8"},
    {DataType::kInt16, "INT16"},   {DataType::kInt32, "INT32"},   {DataType::kInt64, "INT64"},
    {DataType::kFloat32, "FP32"},  {DataType::kFloat64, "FP64"},  {DataType::kUndefined, ""},
}};

Error Bad(const std::string& what) { return InvalidArgumentError(what); }

// Stores JSON scalar `v` as element `i` of `t`. False if `v` is not a number (or bool for BOOL)
// representable in the dtype.
template <typename T>
bool StoreAs(const json& v, Tensor& t, size_t i) {
  if constexpr (std::is_floating_point_v<T>) {
    if (!v.is_number()) return false;
    t.data<T>()[i] = static_cast<T>(v.get<double>());
  } else {
    if (v.is_boolean()) {
      t.data<T>()[i] = v.get<bool>() ? 1 : 0;
    } else if (v.is_number_integer()) {
      t.data<T>()[i] = static_cast<T>(v.get<int64_t>());
    } else if (v.is_number_float() && std::floor(v.get<double>()) == v.get<double>()) {
      t.data<T>()[i] = static_cast<T>(v.get<double>());
    } else {
      return false;
    }
  }
  return true;
}

bool Store(const json& v, Tensor& t, size_t i) {
  switch (t.dtype()) {
    case DataType::kFloat32: return StoreAs<float>(v, t, i);
    case DataType::kFloat64: return StoreAs<double>(v, t, i);
    case DataType::kUint8: return StoreAs<uint8_t>(v, t, i);
    case DataType::kInt8: return StoreAs<int8_t>(v, t, i);
    case DataType::kUint16: return StoreAs<uint16_t>(v, t, i);
    case DataType::kInt16: return StoreAs<int16_t>(v, t, i);
    case DataType::kInt32: return StoreAs<int32_t>(v, t, i);
    case DataType::kInt64: return StoreAs<int64_t>(v, t, i);
    case DataType::kBool: return StoreAs<uint8_t>(v, t, i);
    case DataType::kUint32: return StoreAs<uint32_t>(v, t, i);
    case DataType::kUint64: return StoreAs<uint64_t>(v, t, i);
    case DataType::kUndefined: return false;
  }
  return false;
}

// Flattens nested arrays of scalars into `t`, counting into `*n`. Depth-limited.
Status Flatten(const json& data, Tensor& t, size_t* n, int depth) {
  if (depth > 32) return Bad("data nested too deeply");
  if (!data.is_array()) {
    if (*n >= static_cast<size_t>(t.num_elements())) return Bad("more data elements than the shape");
    if (!Store(data, t, *n)) return Bad("data element " + std::to_string(*n) + " is not a valid " +
                                        std::string(OipDatatypeName(t.dtype())));
    ++*n;
    return OkStatus();
  }
  for (const json& e : data) CONFIDE_TRY(Flatten(e, t, n, depth + 1));
  return OkStatus();
}

template <typename T>
void AppendAs(const Tensor& t, json& out) {
  const T* p = t.data<T>();
  for (int64_t i = 0; i < t.num_elements(); ++i) out.push_back(p[i]);
}

json DataToJson(const Tensor& t) {
  json out = json::array();
  switch (t.dtype()) {
    case DataType::kFloat32: AppendAs<float>(t, out); break;
    case DataType::kFloat64: AppendAs<double>(t, out); break;
    case DataType::kUint8: AppendAs<uint8_t>(t, out); break;
    case DataType::kInt8: AppendAs<int8_t>(t, out); break;
    case DataType::kUint16: AppendAs<uint16_t>(t, out); break;
    case DataType::kInt16: AppendAs<int16_t>(t, out); break;
    case DataType::kInt32: AppendAs<int32_t>(t, out); break;
    case DataType::kInt64: AppendAs<int64_t>(t, out); break;
    case DataType::kUint32: AppendAs<uint32_t>(t, out); break;
    case DataType::kUint64: AppendAs<uint64_t>(t, out); break;
    case DataType::kBool: {
      const uint8_t* p = t.data<uint8_t>();
      for (int64_t i = 0; i < t.num_elements(); ++i) out.push_back(p[i] != 0);
      break;
    }
    case DataType::kUndefined: break;
  }
  return out;
}

Result<engine::Shape> ParseShape(const json& j, const std::string& name) {
  if (!j.is_array()) return Bad("input '" + name + "': shape must be an array");
  engine::Shape shape;
  for (const json& d : j) {
    if (!d.is_number_integer() || d.get<int64_t>() < 0) {
      return Bad("input '" + name + "': shape dims must be non-negative integers");
    }
    shape.push_back(d.get<int64_t>());
  }
  return shape;
}

// One input tensor from its JSON description, taking binary bytes from `*binary` if declared.
Result<Tensor> ParseInput(const json& in, std::string_view* binary, const TensorLimits& limits,
                          std::string* name) {
  if (!in.is_object() || !in.contains("name") || !in["name"].is_string()) {
    return Bad("each input needs a string 'name'");
  }
  *name = in["name"].get<std::string>();
  if (!in.contains("datatype") || !in["datatype"].is_string()) {
    return Bad("input '" + *name + "': missing 'datatype'");
  }
  CONFIDE_ASSIGN_OR_RETURN(DataType dtype, OipDatatypeFromName(in["datatype"].get<std::string>()));
  if (!in.contains("shape")) return Bad("input '" + *name + "': missing 'shape'");
  CONFIDE_ASSIGN_OR_RETURN(engine::Shape shape, ParseShape(in["shape"], *name));
  auto count = engine::CheckedNumElements(
      shape, static_cast<int64_t>(limits.max_tensor_bytes / engine::DataTypeSize(dtype)));
  if (!count.ok()) return Bad("input '" + *name + "': tensor exceeds the size limit");
  size_t size = static_cast<size_t>(*count) * engine::DataTypeSize(dtype);
  const json* params = in.contains("parameters") ? &in["parameters"] : nullptr;
  if (params && params->contains("binary_data_size")) {
    const json& b = (*params)["binary_data_size"];
    if (!b.is_number_unsigned() || b.get<uint64_t>() != size || binary->size() < size) {
      return Bad("input '" + *name + "': binary_data_size does not match shape and datatype");
    }
    auto t = Tensor::FromBytes(dtype, shape, binary->data(), size);
    binary->remove_prefix(size);
    return t;
  }
  if (!in.contains("data")) return Bad("input '" + *name + "': missing 'data'");
  Tensor t = Tensor::Zeros(dtype, shape);
  size_t n = 0;
  CONFIDE_TRY(Flatten(in["data"], t, &n, 0));
  if (n != static_cast<size_t>(t.num_elements())) {
    return Bad("input '" + *name + "': " + std::to_string(n) + " data elements for shape " +
               engine::ShapeToString(shape));
  }
  return t;
}

bool WantsBinary(const json& j) {
  if (j.contains("parameters") && j["parameters"].is_object()) {
    const json& p = j["parameters"];
    if (p.contains("binary_data_output") && p["binary_data_output"] == true) return true;
    if (p.contains("binary_data") && p["binary_data"] == true) return true;
  }
  return false;
}

// Splits a body into its JSON and the binary section per Inference-Header-Content-Length.
Result<std::pair<std::string_view, std::string_view>> SplitBody(std::string_view body,
                                                               std::optional<size_t> json_len) {
  if (!json_len) return std::pair{body, std::string_view{}};
  if (*json_len > body.size()) return Bad("Inference-Header-Content-Length exceeds the body");
  return std::pair{body.substr(0, *json_len), body.substr(*json_len)};
}

}  // namespace

std::string_view OipDatatypeName(DataType t) {
  for (const auto& [dtype, name] : kNames) {
    if (dtype == t) return name;
  }
  return "";
}

Result<DataType> OipDatatypeFromName(std::string_view name) {
  for (const auto& [dtype, n] : kNames) {
    if (n == name && dtype != DataType::kUndefined) return dtype;
  }
  return Bad("unsupported datatype '" + std::string(name) + "'");
}

Result<InferRequest> ParseInferRequest(std::string_view body, std::optional<size_t> json_len,
                                       const TensorLimits& limits) {
  CONFIDE_ASSIGN_OR_RETURN(auto parts, SplitBody(body, json_len));
  json j = json::parse(parts.first, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Bad("request body is not a JSON object");
  if (!j.contains("inputs") || !j["inputs"].is_array()) return Bad("missing 'inputs' array");
  if (j["inputs"].size() > limits.max_num_inputs) return Bad("too many inputs");
  InferRequest req;
  if (j.contains("id")) {
    if (!j["id"].is_string()) return Bad("'id' must be a string");
    req.id = j["id"].get<std::string>();
  }
  req.binary_output = WantsBinary(j);
  std::string_view binary = parts.second;
  for (const json& in : j["inputs"]) {
    std::string name;
    CONFIDE_ASSIGN_OR_RETURN(Tensor t, ParseInput(in, &binary, limits, &name));
    req.inputs.emplace_back(std::move(name), std::move(t));
  }
  if (!binary.empty()) return Bad("trailing bytes after the binary tensor data");
  if (j.contains("outputs")) {
    if (!j["outputs"].is_array()) return Bad("'outputs' must be an array");
    for (const json& o : j["outputs"]) {
      if (!o.is_object() || !o.contains("name") || !o["name"].is_string()) {
        return Bad("each requested output needs a string 'name'");
      }
      req.outputs.push_back(o["name"].get<std::string>());
      if (WantsBinary(o)) req.binary_output = true;
    }
  }
  return req;
}

namespace {

// The JSON array of tensors; raw bytes go to `*binary` when non-null.
json TensorsToJson(const engine::NamedTensors& tensors, std::string* binary) {
  json arr = json::array();
  for (const auto& [name, t] : tensors) {
    json o = {{"name", name}, {"datatype", OipDatatypeName(t.dtype())}, {"shape", t.shape()}};
    if (binary) {
      o["parameters"] = {{"binary_data_size", t.byte_size()}};
      binary->append(static_cast<const char*>(t.raw_data()), t.byte_size());
    } else {
      o["data"] = DataToJson(t);
    }
    arr.push_back(std::move(o));
  }
  return arr;
}

EncodedBody Finish(const json& j, const std::string& binary, bool is_binary) {
  EncodedBody out{.body = j.dump()};
  if (is_binary) {
    out.json_len = out.body.size();
    out.body += binary;
  }
  return out;
}

}  // namespace

EncodedBody EncodeInferResponse(const ResponseHeader& header, const engine::NamedTensors& outputs,
                                bool binary) {
  json j = {{"model_name", header.model_name}};
  if (!header.model_version.empty()) j["model_version"] = header.model_version;
  if (!header.id.empty()) j["id"] = header.id;
  std::string raw;
  j["outputs"] = TensorsToJson(outputs, binary ? &raw : nullptr);
  return Finish(j, raw, binary);
}

EncodedBody EncodeInferRequest(const engine::NamedTensors& inputs, bool binary) {
  std::string raw;
  json j = {{"inputs", TensorsToJson(inputs, binary ? &raw : nullptr)}};
  if (binary) j["parameters"] = {{"binary_data_output", true}};
  return Finish(j, raw, binary);
}

Result<engine::NamedTensors> ParseInferResponse(std::string_view body,
                                                std::optional<size_t> json_len) {
  CONFIDE_ASSIGN_OR_RETURN(auto parts, SplitBody(body, json_len));
  json j = json::parse(parts.first, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("outputs") || !j["outputs"].is_array()) {
    return MalformedError("inference response: no 'outputs' array");
  }
  std::string_view binary = parts.second;
  engine::NamedTensors out;
  TensorLimits unlimited{.max_tensor_bytes = size_t{1} << 40, .max_num_inputs = 1 << 20};
  for (const json& o : j["outputs"]) {
    std::string name;
    auto t = ParseInput(o, &binary, unlimited, &name);
    if (!t.ok()) return MalformedError("inference response: " + t.error().message);
    out.emplace_back(std::move(name), *std::move(t));
  }
  return out;
}

}  // namespace confide::server
