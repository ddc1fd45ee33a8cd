#include "confide/tee/detect.h"

#include <algorithm>
#include <iterator>

#include "confide/tee/gramine/gramine_platform.h"
#include "confide/tee/measure.h"
#include "confide/tee/nitro/nsm_platform.h"
#include "confide/tee/sim/sim_intel.h"
#include "confide/tee/sim/sim_nitro.h"
#include "confide/tee/sim/sim_platform.h"
#include "confide/tee/tsm/tsm_platform.h"

namespace confide::tee {

namespace {

template <typename T>
Result<std::unique_ptr<Platform>> Upcast(Result<std::unique_ptr<T>> r) {
  if (!r.ok()) return std::move(r).error();
  return std::unique_ptr<Platform>(*std::move(r));
}

// `name` is "sim" (SEV-SNP reports), "sim-sgx", "sim-tdx" or "sim-nitro".
Result<std::unique_ptr<Platform>> OpenSim(const std::string& name, const DetectOptions& o) {
  std::string dir = o.sim_dir.empty() ? sim::DefaultSimDir() : o.sim_dir;
  crypto::Sha384Digest measurement{};
  if (o.sim_measurement) {
    measurement = *o.sim_measurement;
  } else {
    CONFIDE_ASSIGN_OR_RETURN(measurement, MeasureFile("/proc/self/exe"));
  }
  CONFIDE_ASSIGN_OR_RETURN(sim::SimStore store, sim::LoadSimStore(dir));
  static const SystemClock system_clock;  // stateless; outlives every platform made here
  const Clock& clock = o.clock != nullptr ? *o.clock : system_clock;
  if (name == "sim-sgx" || name == "sim-tdx") {
    return Upcast(
        sim::SimIntelPlatform::Open(std::move(store), name == "sim-tdx", measurement, clock));
  }
  if (name == "sim-nitro") {
    return Upcast(
        sim::SimNitroPlatform::Open(std::move(store), sim::SimNitroLaunchFor(measurement), clock));
  }
  return std::unique_ptr<Platform>(
      new sim::SimPlatform(std::move(store), {.measurement = measurement}));
}

Result<std::unique_ptr<Platform>> OpenOne(DeviceOps& ops, const std::string& name,
                                          const DetectOptions& o) {
  if (name == "tsm") return Upcast(tsm::TsmPlatform::Open(ops, {.root = o.root}));
  if (name == "sgx") return Upcast(gramine::GraminePlatform::Open(ops, {.root = o.root}));
  if (name == "nitro") return Upcast(nitro::NsmPlatform::Open(ops, {.root = o.root}));
  return OpenSim(name, o);
}

}  // namespace

DeviceOps& SystemDevices() {
  static SystemDeviceOps ops;
  return ops;
}

Result<Detection> DetectPlatform(DeviceOps& ops, const DetectOptions& options) {
  if (std::find(std::begin(kTeeChoices), std::end(kTeeChoices), options.tee) ==
      std::end(kTeeChoices)) {
    return InvalidArgumentError("--tee " + options.tee +
                                ": expected auto, tsm, sgx, nitro, sim, sim-sgx, sim-tdx or "
                                "sim-nitro");
  }
  Detection d;
  if (options.tee != "auto") {
    CONFIDE_ASSIGN_OR_RETURN(d.platform, OpenOne(ops, options.tee, options));
    d.probes.push_back(options.tee + ": forced");
    return d;
  }
  for (const char* name : {"tsm", "sgx", "nitro", "sim"}) {
    Result<std::unique_ptr<Platform>> p = OpenOne(ops, name, options);
    if (p.ok()) {
      d.probes.push_back(std::string(name) + ": present");
      d.platform = *std::move(p);
      return d;
    }
    d.probes.push_back(std::string(name) + ": " + p.error().ToString());
    if (p.error().code != ErrorCode::kNotFound) {
      return Error{p.error().code, std::string(name) + ": " + p.error().message};
    }
  }
  std::string tried;
  for (const std::string& line : d.probes) tried += (tried.empty() ? "" : "; ") + line;
  return NotFoundError("no TEE found: " + tried);
}

}  // namespace confide::tee
