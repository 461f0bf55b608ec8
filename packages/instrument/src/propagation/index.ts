export { DestinationAllowList, DEFAULT_PROPAGATE_TO } from './destination-allow-list';
export type { AllowListParse } from './destination-allow-list';
export { ProbeBaggagePropagator } from './probe-baggage-propagator';
export { ProbeTokenScope, DESTINATION_KEY, destinationOf } from './probe-token-scope';
export type { Destination, TokensWithheld, WithheldKind } from './probe-token-scope';
export { withoutBaggageMember, baggageMemberKey } from './without-baggage-member';
