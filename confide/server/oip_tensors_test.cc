#include "confide/server/oip_tensors.h"

#include <gtest/gtest.h>

namespace confide::server {
namespace {

using engine::DataType;

TEST(OipTensors, ParsesNestedJsonData) {
  auto req = ParseInferRequest(
      R"({"id":"a","inputs":[{"name":"x","shape":[2,2],"datatype":"FP32","data":[[1,2],[3,4.5]]}]})",
      std::nullopt, {});
  ASSERT_TRUE(req.ok()) << req.error().ToString();
  EXPECT_EQ(req->id, "a");
  ASSERT_EQ(req->inputs.size(), 1u);
  EXPECT_EQ(req->inputs[0].second.data<float>()[3], 4.5f);
}

TEST(OipTensors, RejectsShapeDataMismatch) {
  auto req = ParseInferRequest(
      R"({"inputs":[{"name":"x","shape":[3],"datatype":"INT64","data":[1,2]}]})", std::nullopt, {});
  ASSERT_FALSE(req.ok());
  EXPECT_EQ(req.error().code, ErrorCode::kInvalidArgument);
}

TEST(OipTensors, RejectsUnknownDatatypeAndMalformedJson) {
  EXPECT_FALSE(ParseInferRequest(R"({"inputs":[{"name":"x","shape":[1],"datatype":"FP8","data":[1]}]})",
                                 std::nullopt, {}).ok());
  EXPECT_FALSE(ParseInferRequest("{not json", std::nullopt, {}).ok());
}

TEST(OipTensors, RejectsTensorOverTheLimit) {
  auto req = ParseInferRequest(
      R"({"inputs":[{"name":"x","shape":[1000000],"datatype":"FP32","data":[]}]})", std::nullopt,
      {.max_tensor_bytes = 1024});
  ASSERT_FALSE(req.ok());
  EXPECT_NE(req.error().message.find("size limit"), std::string::npos);
}

TEST(OipTensors, BinaryRequestRoundTrips) {
  engine::Tensor x = engine::Tensor::Zeros(DataType::kFloat32, {1, 3});
  x.data<float>()[1] = 7;
  EncodedBody b = EncodeInferRequest({{"x", x}}, true);
  ASSERT_TRUE(b.json_len.has_value());
  auto req = ParseInferRequest(b.body, b.json_len, {});
  ASSERT_TRUE(req.ok()) << req.error().ToString();
  EXPECT_TRUE(req->binary_output);
  EXPECT_EQ(req->inputs[0].second.data<float>()[1], 7.0f);
  EXPECT_FALSE(ParseInferRequest(b.body + "x", b.json_len, {}).ok());  // trailing bytes
}

TEST(OipTensors, ResponseRoundTripsInJsonAndBinary) {
  engine::Tensor y = engine::Tensor::Zeros(DataType::kInt64, {2});
  y.data<int64_t>()[0] = -3;
  for (bool binary : {false, true}) {
    EncodedBody b = EncodeInferResponse({.model_name = "m"}, {{"y", y}}, binary);
    auto out = ParseInferResponse(b.body, b.json_len);
    ASSERT_TRUE(out.ok()) << out.error().ToString();
    EXPECT_EQ((*out)[0].second.data<int64_t>()[0], -3);
  }
}

}  // namespace
}  // namespace confide::server
