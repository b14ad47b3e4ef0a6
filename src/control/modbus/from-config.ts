// Options → a Modbus controller, for the composition root: the battery's and the grid's limits
// from the add-on's options become the clamps every write goes through.
import type { Config } from "../../config/schema.js";
import { createLogger } from "../../log.js";
import { createModbusController, type ModbusController, type ModbusControllerDeps } from "./controller.js";
import { loadModbusProfile } from "./profiles.js";

const log = createLogger("modbus");
const SCHEMA_DEFAULT_UNIT_ID = 1;

export function modbusControllerFromConfig(
  config: Config,
  deps: ModbusControllerDeps = {},
): ModbusController {
  const modbus = config.control.modbus;
  const profile = loadModbusProfile(modbus.profile);
  let unitId = modbus.unit_id;
  // unit_id defaults to 1, which no Victron GX answers on: take the profile's unit instead.
  if (unitId === SCHEMA_DEFAULT_UNIT_ID && profile.defaultUnitId !== SCHEMA_DEFAULT_UNIT_ID) {
    log.info(
      `${profile.name}: using unit id ${profile.defaultUnitId} (the profile's) instead of the default 1`,
    );
    unitId = profile.defaultUnitId;
  }
  return createModbusController(
    {
      profile: modbus.profile,
      host: modbus.host,
      port: modbus.port,
      serial_port: modbus.serial_port,
      baud_rate: modbus.baud_rate,
      unit_id: unitId,
      timeout_ms: modbus.timeout_ms,
      gap_ms: modbus.gap_ms,
      limits: {
        maxChargeW: config.battery.max_charge_kw * 1000,
        maxDischargeW: config.battery.max_discharge_kw * 1000,
        maxImportW: config.grid.max_import_kw * 1000,
        maxExportW: config.grid.max_export_kw * 1000,
        reservePct: config.battery.reserve_pct,
      },
    },
    deps,
  );
}
