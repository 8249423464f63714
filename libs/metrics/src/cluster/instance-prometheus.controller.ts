import { PrometheusController as RegistryController } from '@willsoto/nestjs-prometheus';
import { register } from 'prom-client';
import { instanceMetrics } from './cluster-metrics.js';
import { PrimaryChannel } from './cluster-channel.js';

/**
 * GET /metrics for the whole instance: in a cluster worker the primary merges every worker's
 * registry (a scrape that reached one worker must not report a random half of the traffic); in a
 * single process, the library's controller as before.
 */
export class PrometheusController extends RegistryController {
  override async index(response: unknown): Promise<string> {
    if (!PrimaryChannel.available()) return super.index(response);
    (response as { header(name: string, value: string): unknown }).header(
      'Content-Type',
      register.contentType,
    );
    return instanceMetrics();
  }
}
