// What the composition root uses to publish: pick MQTT discovery or the REST fallback.
export { type ChoosePublisherOptions, choosePublisher, supervisorMqtt } from "./choose.js";
export {
  createMqttPublisher,
  type MqttBroker,
  type MqttPlanPublisher,
  MqttUnavailableError,
} from "./mqtt-publisher.js";
export { buildPlanAttributes, HA_ATTRIBUTE_LIMIT_BYTES, type PlanEntry } from "./plan-attribute.js";
export { createRestPublisher, type RestPlanPublisher } from "./rest-publisher.js";
