import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Matches, Min } from 'class-validator';
import { Roles } from '../auth/auth.decorators';
import { PageQueryDto, type Page } from '../common/http/pagination.dto';
import { AuditService, type AuditView } from './audit.service';

export class ListAuditQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'entries of this acting user' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  actorId?: number;

  @ApiPropertyOptional({ example: 'risk_limits.set' })
  @IsOptional()
  @Matches(/^[a-z_]{2,30}\.[a-z_]{2,30}$/, { message: 'action must be an action name such as risk_limits.set' })
  action?: string;

  @ApiPropertyOptional({ example: 'user' })
  @IsOptional()
  @Matches(/^[a-z_]{2,32}$/, { message: 'targetType must be a target type such as user' })
  targetType?: string;

  @ApiPropertyOptional({ description: 'with targetType: entries about this one (a user id, a symbol)' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'targetId must be an id or a symbol' })
  targetId?: string;

  @ApiPropertyOptional({ enum: ['succeeded', 'failed'] })
  @IsOptional()
  @IsIn(['succeeded', 'failed'])
  outcome?: 'succeeded' | 'failed';
}

@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@Controller('api/v1/admin/audit-logs')
export class AdminAuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiOperation({ summary: 'The audit log, newest first: administrative and account-setting actions, refusals included' })
  list(@Query() q: ListAuditQueryDto): Promise<Page<AuditView>> {
    return this.audit.list({ ...q, actorUserId: q.actorId });
  }
}
