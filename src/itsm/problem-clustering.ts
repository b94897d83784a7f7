/**
 * From an outage to a problem: bursts of similar open incidents are offered to the group as their own
 * card ("Create problem" / "… and raise a major incident"), or, with `problems.autoCreateAt`, become a
 * problem at once. Creating it links the reports and tells every reporter once. Resolving a problem
 * offers to resolve its still-open incidents; their requesters are asked to confirm the fix.
 */
import { createClusterDetection } from './problem-clustering/detection.js';
import { createProblemFromCluster } from './problem-clustering/from-cluster.js';
import { createIncidentResolution } from './problem-clustering/resolution.js';
import type { ClusterServiceDeps } from './problem-clustering/types.js';

/**
 * The parts, by responsibility: problem-clustering/from-cluster.ts (the problem from a burst, major
 * incident, reporters told), resolution.ts (resolving the incidents of a fixed problem), detection.ts
 * (finding bursts, the card).
 */
export function createClusterService(deps: ClusterServiceDeps) {
  const fromCluster = createProblemFromCluster(deps);
  const resolution = createIncidentResolution(deps);
  const detection = createClusterDetection(deps, fromCluster);
  return {
    createFromCluster: fromCluster.createFromCluster,
    resolveIncidents: resolution.resolveIncidents,
    detect: detection.detect,
  };
}
