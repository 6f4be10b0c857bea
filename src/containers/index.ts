export * from './service-load-balancer';
export * from './ecs-service-props';
export * from './ecs-service-base';
export * from './ecs-dynamic-port-service';
export * from './ecs-fargate-service';
