import { Module } from '@nestjs/common';
import { RiskLimitsRepository } from './risk-limits.repository';
import { RiskService } from './risk.service';

@Module({ providers: [RiskService, RiskLimitsRepository], exports: [RiskService] })
export class RiskModule {}
