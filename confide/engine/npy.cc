#include "confide/engine/npy.h"

#include <string>
#include <string_view>

namespace confide::engine {
namespace {

constexpr std::string_view kMagic = "\x93NUMPY";

struct Descr {
  std::string_view text;
  DataType dtype;
};
constexpr Descr kDescrs[] = {
    {"<f4", DataType::kFloat32}, {"<f8", DataType::kFloat64}, {"|i1", DataType::kInt8},
    {"|u1", DataType::kUint8},   {"<i2", DataType::kInt16},   {"<u2", DataType::kUint16},
    {"<i4", DataType::kInt32},   {"<u4", DataType::kUint32},  {"<i8", DataType::kInt64},
    {"<u8", DataType::kUint64},  {"|b1", DataType::kBool}};

// The quoted value after 'key': in the header dict, or the raw text up to the next ',' / '}'.
std::string_view DictValue(std::string_view header, std::string_view key) {
  size_t k = header.find("'" + std::string(key) + "'");
  if (k == std::string_view::npos) return {};
  size_t colon = header.find(':', k);
  if (colon == std::string_view::npos) return {};
  size_t v = header.find_first_not_of(' ', colon + 1);
  if (v == std::string_view::npos) return {};
  if (header[v] == '\'') {
    size_t end = header.find('\'', v + 1);
    return end == std::string_view::npos ? std::string_view{} : header.substr(v + 1, end - v - 1);
  }
  if (header[v] == '(') {
    size_t end = header.find(')', v);
    return end == std::string_view::npos ? std::string_view{} : header.substr(v, end - v + 1);
  }
  size_t end = header.find_first_of(",}", v);
  return end == std::string_view::npos ? std::string_view{} : header.substr(v, end - v);
}

Result<Shape> ParseShape(std::string_view text) {
  if (text.size() < 2 || text.front() != '(' || text.back() != ')') return MalformedError("npy: bad shape");
  Shape shape;
  std::string_view body = text.substr(1, text.size() - 2);
  size_t i = 0;
  while (i < body.size()) {
    while (i < body.size() && (body[i] == ' ' || body[i] == ',')) ++i;
    if (i == body.size()) break;
    int64_t v = 0;
    size_t start = i;
    while (i < body.size() && body[i] >= '0' && body[i] <= '9') {
      if (v > (int64_t{1} << 40)) return MalformedError("npy: dimension too large");
      v = v * 10 + (body[i++] - '0');
    }
    if (i == start) return MalformedError("npy: bad shape");
    shape.push_back(v);
  }
  return shape;
}

}  // namespace

Result<Tensor> ParseNpy(ByteSpan bytes) {
  ByteReader r(bytes);
  ByteSpan magic;
  uint8_t major = 0, minor = 0;
  if (!r.ReadSpan(kMagic.size(), &magic) || ToString(magic) != kMagic || !r.ReadU8(&major) || !r.ReadU8(&minor)) {
    return MalformedError("npy: bad magic");
  }
  ByteSpan header_bytes;
  bool ok = major == 1 ? r.ReadPrefixedU16Le(&header_bytes) : major == 2 ? r.ReadPrefixedU32Le(&header_bytes) : false;
  if (!ok) return MalformedError("npy: bad header (version " + std::to_string(major) + ")");
  std::string header = ToString(header_bytes);
  std::string_view descr = DictValue(header, "descr");
  DataType dtype = DataType::kUndefined;
  for (const Descr& d : kDescrs) {
    if (d.text == descr || (d.text[0] == '<' && descr.size() == 3 && descr[0] == '=' && descr.substr(1) == d.text.substr(1))) dtype = d.dtype;
  }
  if (dtype == DataType::kUndefined) return UnsupportedError("npy: dtype '" + std::string(descr) + "'");
  if (DictValue(header, "fortran_order") != "False") return UnsupportedError("npy: fortran_order");
  CONFIDE_ASSIGN_OR_RETURN(Shape shape, ParseShape(DictValue(header, "shape")));
  auto n = CheckedNumElements(shape);
  if (!n.ok()) return MalformedError("npy: " + n.error().message);
  ByteSpan data;
  if (!r.ReadSpan(static_cast<size_t>(*n) * DataTypeSize(dtype), &data)) return MalformedError("npy: data shorter than the shape");
  if (!r.empty()) return MalformedError("npy: trailing bytes");
  return Tensor::FromBytes(dtype, shape, data.data(), data.size());
}

Bytes SerializeNpy(const Tensor& t) {
  std::string descr;
  for (const Descr& d : kDescrs) {
    if (d.dtype == t.dtype()) descr = d.text;
  }
  std::string shape = "(";
  for (int64_t d : t.shape()) shape += std::to_string(d) + ", ";
  if (t.shape().size() > 1) shape.resize(shape.size() - 2);
  if (t.shape().size() == 1) shape.resize(shape.size() - 1);
  shape += ")";
  std::string header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  size_t total = kMagic.size() + 2 + 2 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  ByteWriter w;
  w.WriteBytes(AsBytes(kMagic));
  w.WriteU8(1);
  w.WriteU8(0);
  w.WriteU16Le(static_cast<uint16_t>(header.size()));
  w.WriteBytes(AsBytes(header));
  w.WriteBytes(ByteSpan(static_cast<const uint8_t*>(t.raw_data()), t.byte_size()));
  return std::move(w).Take();
}

}  // namespace confide::engine
