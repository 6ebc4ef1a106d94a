import { Controller, Get, HttpCode } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Public } from '../auth/auth.decorators';
import { ExchangeUnavailableError } from '../common/errors';

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly dataSource: DataSource) {}

  @Get()
  @ApiOperation({ summary: 'Alive: the process answers' })
  alive() {
    return { status: 'ok' };
  }

  @Get('ready')
  @HttpCode(200)
  @ApiOperation({ summary: 'Ready: the database answers and every migration is applied' })
  async ready() {
    try {
      await this.dataSource.query('SELECT 1');
      const pending = await this.dataSource.showMigrations();
      if (pending) throw new Error('pending migrations');
    } catch (e) {
      throw new NotReadyError('NOT_READY', `Not ready: ${(e as Error).message === 'pending migrations' ? 'migrations are pending' : 'the database does not answer'}`);
    }
    return { status: 'ready', database: 'ok', migrations: 'applied' };
  }
}

class NotReadyError extends ExchangeUnavailableError {}
