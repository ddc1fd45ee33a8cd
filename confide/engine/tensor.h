// Tensor: a dtype, a shape and a buffer (owned, or borrowed from a run's arena or a model).
//
//   Tensor x = Tensor::Zeros(DataType::kFloat32, {1, 3, 224, 224});
//   float* p = x.data<float>();
//   Tensor view = Tensor::View(DataType::kFloat32, {2, 2}, p);  // borrows p
#ifndef CONFIDE_ENGINE_TENSOR_H_
#define CONFIDE_ENGINE_TENSOR_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "confide/base/result.h"

namespace confide::engine {

// Element types. The values are ONNX TensorProto.DataType numbers.
enum class DataType : int {
  kUndefined = 0,
  kFloat32 = 1,
  kUint8 = 2,
  kInt8 = 3,
  kUint16 = 4,
  kInt16 = 5,
  kInt32 = 6,
  kInt64 = 7,
  kBool = 9,
  kFloat64 = 11,
  kUint32 = 12,
  kUint64 = 13,
};

using Shape = std::vector<int64_t>;

// Bytes per element; 0 for kUndefined.
size_t DataTypeSize(DataType t);
// "float32", "int64", ... ("undefined" for kUndefined).
std::string_view DataTypeName(DataType t);
// Maps an ONNX TensorProto.DataType number. kUnsupported for string, float16, bfloat16, complex
// and unknown numbers.
Result<DataType> DataTypeFromOnnx(int onnx_type);
// Number of elements of `shape` (1 for a scalar). Precondition: dims are non-negative and the
// product fits (the loader and kernels check with CheckedNumElements first).
int64_t NumElements(const Shape& shape);
// Product of dims, or kInvalidArgument when a dim is negative or the product exceeds `limit`.
Result<int64_t> CheckedNumElements(const Shape& shape, int64_t limit = int64_t{1} << 40);
// "[1,3,224,224]".
std::string ShapeToString(const Shape& shape);

// A tensor. Copying a Tensor copies the handle, not the data: copies share an owned buffer, and
// a view never owns. A view's buffer must outlive every copy of the view. Not thread safe for
// concurrent mutation of the same buffer.
class Tensor {
 public:
  Tensor() = default;
  // A new zero-filled owned tensor (64-byte aligned). Precondition: NumElements(shape) is valid.
  static Tensor Zeros(DataType dtype, Shape shape);
  // A borrowed view of `data` (not copied, not freed). `data` must hold the full tensor.
  static Tensor View(DataType dtype, Shape shape, void* data);
  // A new owned tensor holding a copy of `bytes`; kInvalidArgument if the size does not match.
  static Result<Tensor> FromBytes(DataType dtype, Shape shape, const void* bytes, size_t size);

  DataType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int64_t num_elements() const { return NumElements(shape_); }
  size_t byte_size() const { return static_cast<size_t>(num_elements()) * DataTypeSize(dtype_); }
  bool empty() const { return dtype_ == DataType::kUndefined; }
  bool owns_data() const { return owned_ != nullptr; }

  void* raw_data() { return data_; }
  const void* raw_data() const { return data_; }
  template <typename T>
  T* data() { return static_cast<T*>(data_); }
  template <typename T>
  const T* data() const { return static_cast<const T*>(data_); }

  // A deep copy with its own buffer.
  Tensor Clone() const;
  // Same buffer, new shape. Precondition: same number of elements.
  Tensor Reshaped(Shape shape) const;

 private:
  DataType dtype_ = DataType::kUndefined;
  Shape shape_;
  std::shared_ptr<uint8_t[]> owned_;
  void* data_ = nullptr;
};

}  // namespace confide::engine

#endif  // CONFIDE_ENGINE_TENSOR_H_
