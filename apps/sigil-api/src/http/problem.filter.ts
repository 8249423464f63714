import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { httpRoute, type SigilMetrics } from '#metrics';
import { PROBLEM_CONTENT_TYPE } from '#sigil';
import { problemFor } from './problem.js';

/** The one place errors become HTTP: problem+json with a code and the request id, never a stack trace. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('Problem');

  constructor(private readonly metrics: SigilMetrics) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const { problem, headers, unexpected } = problemFor(error, String(request.id));
    if (unexpected) {
      this.logger.error({ err: error, requestId: request.id, msg: 'unhandled error' });
    }
    // "METHOD /route/template": bounded, and says which operation failed without a lookup table.
    this.metrics.problem(`${request.method} ${httpRoute(request)}`, problem.code);
    if (reply.sent) return;
    void reply.status(problem.status).headers(headers).type(PROBLEM_CONTENT_TYPE).send(problem);
  }
}
