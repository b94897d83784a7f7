/**
 * Composition: loads the NLU (inline or on a worker thread, as configured) and warms it up. A model that
 * cannot load does not stop start-up: every message is then handed to a person until it is fixed.
 */
import type { Config } from './config.js';
import type { Logger } from './log.js';
import { handoffOnlyNlu } from './nlu/fallback.js';
import { frustrationOf } from './nlu/frustration.js';
import { type LoadNluOptions, loadNlu, nluOptionsFor } from './nlu/index.js';
import type { Nlu } from './nlu/types.js';
import { startNluWorker } from './nlu/worker/client.js';

export async function startNlu(
  config: Config,
  log: Logger,
): Promise<{ nlu: Nlu; close: (() => Promise<void>) | null }> {
  let nlu: Nlu;
  let closeNlu: (() => Promise<void>) | null = null;
  try {
    const nluOptions: LoadNluOptions = nluOptionsFor(config, (level, msg, fields) => log[level](msg, fields));
    if (config.NLU_THREAD === 'worker') {
      const w = await startNluWorker(nluOptions);
      closeNlu = () => w.close();
      nlu = w;
    } else {
      nlu = await loadNlu(nluOptions);
    }
    // The first inference compiles the encoder's kernels (seconds of CPU on one core); doing it now
    // keeps it from stalling the event loop — and platform acks — on the first real message.
    const warm = performance.now();
    await nlu.intents.classify('my laptop will not start');
    await nlu.knowledge.search('reset my password', 1);
    await nlu.triage.predict('the vpn is down for the whole team');
    // Frustration runs on this thread; its lexicon loads on first use (half a second).
    frustrationOf('this is useless, nothing works');
    log.debug('NLU warmed up', { ms: Math.round(performance.now() - warm) });
  } catch (e) {
    log.error(
      'NLU models could not be loaded; every message will be handed to a person until this is fixed',
      { error: e },
    );
    await closeNlu?.();
    closeNlu = null;
    nlu = handoffOnlyNlu(e instanceof Error ? e.message : String(e));
  }
  return { nlu, close: closeNlu };
}
