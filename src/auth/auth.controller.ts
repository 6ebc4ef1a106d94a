import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Public, type Caller } from './auth.decorators';
import { AuthService } from './auth.service';
import { LoginDto, MeResponseDto, TokenResponseDto } from './dto/auth.dto';
import { Audited } from '../audit/audited.decorator';

@ApiTags('auth')
@Controller('api/v1/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('login')
  @Audited('auth.login', 'user')
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange a username and password for a bearer token' })
  @ApiOkResponse({ type: TokenResponseDto })
  login(@Body() dto: LoginDto): Promise<TokenResponseDto> {
    return this.auth.login(dto.username, dto.password);
  }

  @Get('me')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'The caller' })
  @ApiOkResponse({ type: MeResponseDto })
  me(@CurrentUser() caller: Caller): MeResponseDto {
    return { id: caller.id, username: caller.username, role: caller.role };
  }
}
