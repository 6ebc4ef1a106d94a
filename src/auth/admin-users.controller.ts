import { Body, Controller, Get, Param, ParseIntPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PageQueryDto, type Page } from '../common/http/pagination.dto';
import { Roles } from './auth.decorators';
import { CreateUserDto, UpdateUserDto, UserResponseDto } from './dto/auth.dto';
import { toUserView, UsersService } from './users.service';
import { Audited } from '../audit/audited.decorator';

@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@Controller('api/v1/admin/users')
export class AdminUsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @Audited('user.create', 'user')
  @ApiOperation({ summary: 'Create a user (with a funded paper account)' })
  async create(@Body() dto: CreateUserDto): Promise<UserResponseDto> {
    return toUserView(await this.users.create(dto));
  }

  @Get()
  @ApiOperation({ summary: 'List users' })
  async list(@Query() q: PageQueryDto): Promise<Page<UserResponseDto>> {
    const page = await this.users.list(q.limit, q.cursor === undefined ? undefined : Number.parseInt(q.cursor, 10));
    return { items: page.items.map(toUserView), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One user' })
  async get(@Param('id', ParseIntPipe) id: number): Promise<UserResponseDto> {
    return toUserView(await this.users.getById(id));
  }

  @Patch(':id')
  @Audited('user.update', 'user')
  @ApiOperation({ summary: 'Change a user\'s role, disable or enable it, or reset its password' })
  async update(@Param('id', ParseIntPipe) id: number, @Body() dto: UpdateUserDto): Promise<UserResponseDto> {
    return toUserView(await this.users.update(id, dto));
  }
}
