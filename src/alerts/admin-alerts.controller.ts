import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, Matches, Min } from 'class-validator';
import { CurrentUser, Roles, type Caller } from '../auth/auth.decorators';
import { ValidationError } from '../common/errors';
import { PageQueryDto, type Page } from '../common/http/pagination.dto';
import { Audited } from '../audit/audited.decorator';
import { AlertsService, type AlertSeverity, type AlertView } from './alerts.service';

const SEVERITIES: AlertSeverity[] = ['info', 'warning', 'critical'];

export class ListAlertsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'only this user\'s alerts' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  userId?: number;

  @ApiPropertyOptional({ example: 'POSITION_LIQUIDATED' })
  @IsOptional()
  @Matches(/^[A-Z][A-Z0-9_]{1,63}$/, { message: 'code must be an alert code such as POSITION_LIQUIDATED' })
  code?: string;

  @ApiPropertyOptional({ enum: SEVERITIES })
  @IsOptional()
  @IsIn(SEVERITIES)
  severity?: AlertSeverity;

  @ApiPropertyOptional({ description: 'true: acknowledged only; false: open only' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'acknowledged must be true or false' })
  acknowledged?: boolean;
}

@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@Controller('api/v1/admin/alerts')
export class AdminAlertsController {
  constructor(private readonly alerts: AlertsService) {}

  @Get()
  @ApiOperation({ summary: 'Alerts of every user, newest first (liquidations, forced stop-losses, margin calls)' })
  list(@Query() q: ListAlertsQueryDto): Promise<Page<AlertView>> {
    return this.alerts.list(q);
  }

  @Post(':id/ack')
  @HttpCode(200)
  @Audited('alert.acknowledge', 'alert')
  @ApiOperation({ summary: 'Acknowledge an alert (409 ALERT_ALREADY_ACKNOWLEDGED when it was)' })
  ack(@Param('id') id: string, @CurrentUser() caller: Caller): Promise<AlertView> {
    if (!/^\d{1,18}$/.test(id)) throw new ValidationError('VALIDATION_FAILED', 'id must be an alert id', [{ field: 'id', code: 'IS_ALERT_ID', message: 'id must be an alert id' }]);
    return this.alerts.acknowledge(id, caller.id);
  }
}
