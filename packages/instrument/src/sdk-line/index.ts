export { currentSdk, sdkChoice, selectSdkLine, type SdkChoice } from './select-sdk-line';
export { describeSdk } from './sdk-line';
export type { SdkLine, SdkLineInfo, SdkSamplers, SdkTracerProvider } from './sdk-line';
