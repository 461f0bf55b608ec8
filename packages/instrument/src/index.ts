export {
  startInstrumentation,
  getInstrumentation,
  createProbeSampler,
  defaultInstrumentations,
} from './start-instrumentation';
export { registerFromEnvironment } from './register-from-env';
export { optionsFromEnv } from './options-from-env';
export type { Environment, EnvironmentOptions } from './options-from-env';
export { ProbeSampler } from './probe-sampler';
export { ProbeVerifier } from './probe-verifier';
export type { ProbeVerifierOptions } from './probe-verifier';
export { samplerFromEnv, ENV_SAMPLERS } from './sampler-from-env';
export { currentProbe, probeMiddleware } from './current-probe';
export type { ProbeAwareRequest } from './current-probe';
export { injectMessageContext, runInMessageContext, streamFieldsToObject, objectToStreamFields } from './messaging';
export type { MessageCarrier, MessageSendOptions, MessageProcessOptions } from './messaging';
export {
  ProbeBaggagePropagator,
  ProbeTokenScope,
  DestinationAllowList,
  DEFAULT_PROPAGATE_TO,
  withoutBaggageMember,
} from './propagation';
export type { AllowListParse, TokensWithheld, WithheldKind } from './propagation';
export { HopSpanProcessor, RedisHopExporter, HopExportStats } from '@hoptrace/redis-exporter';
export type { InstrumentationOptions, HoptraceInstrumentation, HoptraceStats, OtlpOptions, ProbeInfo } from './types';
export type { SdkLineInfo } from './sdk-line';
