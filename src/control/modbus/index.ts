// The Modbus adapter's public surface.
export { type ControlLimits, effectiveCommand } from "./command-targets.js";
export {
  createModbusController,
  type ModbusApplyReport,
  type ModbusController,
  type ModbusControllerDeps,
  type ModbusControllerOptions,
  type WriteDetail,
} from "./controller.js";
export {
  ModbusConnectionError,
  ModbusExceptionError,
  ModbusProfileError,
  ModbusWriteNotAppliedError,
  ModbusWriteRefusedError,
  type RegisterMismatch,
} from "./errors.js";
export { modbusControllerFromConfig } from "./from-config.js";
export type { ModbusProfile } from "./profile-schema.js";
export { listModbusProfiles, loadModbusProfile, type ModbusProfileSummary } from "./profiles.js";
