#include "confide/engine/tensor.h"

#include <sys/mman.h>

#include <cstring>
#include <new>

namespace confide::engine {

size_t DataTypeSize(DataType t) {
  switch (t) {
    case DataType::kFloat32: return 4;
    case DataType::kUint8: return 1;
    case DataType::kInt8: return 1;
    case DataType::kUint16: return 2;
    case DataType::kInt16: return 2;
    case DataType::kInt32: return 4;
    case DataType::kInt64: return 8;
    case DataType::kBool: return 1;
    case DataType::kFloat64: return 8;
    case DataType::kUint32: return 4;
    case DataType::kUint64: return 8;
    case DataType::kUndefined: return 0;
  }
  return 0;
}

std::string_view DataTypeName(DataType t) {
  switch (t) {
    case DataType::kFloat32: return "float32";
    case DataType::kUint8: return "uint8";
    case DataType::kInt8: return "int8";
    case DataType::kUint16: return "uint16";
    case DataType::kInt16: return "int16";
    case DataType::kInt32: return "int32";
    case DataType::kInt64: return "int64";
    case DataType::kBool: return "bool";
    case DataType::kFloat64: return "float64";
    case DataType::kUint32: return "uint32";
    case DataType::kUint64: return "uint64";
    case DataType::kUndefined: return "undefined";
  }
  return "undefined";
}

Result<DataType> DataTypeFromOnnx(int onnx_type) {
  switch (onnx_type) {
    case 1: case 2: case 3: case 4: case 5: case 6: case 7: case 9: case 11: case 12: case 13:
      return static_cast<DataType>(onnx_type);
    default:
      return UnsupportedError("tensor data type " + std::to_string(onnx_type) +
                              " (supported: float32/64, int8/16/32/64, uint8/16/32/64, bool)");
  }
}

int64_t NumElements(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

Result<int64_t> CheckedNumElements(const Shape& shape, int64_t limit) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) return InvalidArgumentError("negative dimension in shape " + ShapeToString(shape));
    if (d != 0 && n > limit / d) {
      return InvalidArgumentError("shape " + ShapeToString(shape) + " has too many elements");
    }
    n *= d;
  }
  return n;
}

std::string ShapeToString(const Shape& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ",";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

namespace {

// Buffers of at least this size get their own anonymous mapping: the kernel (or Gramine's
// LibOS) hands out zeroed pages, untouched pages cost nothing, and munmap returns them when the
// last Tensor goes. On the heap, weights freed once packed and the intermediates of a planning run left holes
// that stayed resident next to the long-lived allocations made meanwhile (ppocrv4_det: 7.5 MiB of
// free heap after its first run).
constexpr size_t kMappedBytes = 256 << 10;

std::shared_ptr<uint8_t[]> AllocateAligned(size_t size) {
  size_t n = size == 0 ? 64 : (size + 63) / 64 * 64;
  if (n >= kMappedBytes) {
    void* m = ::mmap(nullptr, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) throw std::bad_alloc();
    return std::shared_ptr<uint8_t[]>(static_cast<uint8_t*>(m), [n](uint8_t* q) { ::munmap(q, n); });
  }
  auto* p = static_cast<uint8_t*>(::operator new[](n, std::align_val_t(64)));
  std::memset(p, 0, n);
  return std::shared_ptr<uint8_t[]>(
      p, [](uint8_t* q) { ::operator delete[](q, std::align_val_t(64)); });
}

}  // namespace

Tensor Tensor::Zeros(DataType dtype, Shape shape) {
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  t.owned_ = AllocateAligned(t.byte_size());
  t.data_ = t.owned_.get();
  return t;
}

Tensor Tensor::View(DataType dtype, Shape shape, void* data) {
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  t.data_ = data;
  return t;
}

Result<Tensor> Tensor::FromBytes(DataType dtype, Shape shape, const void* bytes, size_t size) {
  CONFIDE_ASSIGN_OR_RETURN(int64_t n, CheckedNumElements(shape));
  if (static_cast<size_t>(n) * DataTypeSize(dtype) != size) {
    return InvalidArgumentError("tensor " + ShapeToString(shape) + " of " +
                                std::string(DataTypeName(dtype)) + " needs " +
                                std::to_string(n * DataTypeSize(dtype)) + " bytes, got " +
                                std::to_string(size));
  }
  Tensor t = Zeros(dtype, std::move(shape));
  if (size) std::memcpy(t.data_, bytes, size);
  return t;
}

Tensor Tensor::Clone() const {
  Tensor t = Zeros(dtype_, shape_);
  if (byte_size()) std::memcpy(t.data_, data_, byte_size());
  return t;
}

Tensor Tensor::Reshaped(Shape shape) const {
  CONFIDE_CHECK(NumElements(shape) == num_elements());
  Tensor t = *this;
  t.shape_ = std::move(shape);
  return t;
}

}  // namespace confide::engine
