/**
 * The size or the exact block of each tier in a `TieredVpc`'s IP plan.
 *
 * Each tier owns ONE contiguous block of the VPC CIDR, split per AZ inside it, so that a single
 * CIDR names a whole tier in a NACL entry and the NACL size does not grow with the AZ count
 * (see https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html).
 */
export interface IpPlanProps {
  /**
   * Prefix length of the public tier's block.
   * @default - the VPC prefix + 2 (a quarter of the VPC, e.g. /18 in a /16)
   */
  readonly publicPrefixLength?: number;
  /**
   * Prefix length of the app tier's block.
   * @default - the VPC prefix + 2 (a quarter of the VPC, e.g. /18 in a /16)
   */
  readonly appPrefixLength?: number;
  /**
   * Prefix length of the data tier's block.
   * @default - the VPC prefix + 2 (a quarter of the VPC, e.g. /18 in a /16)
   */
  readonly dataPrefixLength?: number;
  /**
   * The public tier's exact block, inside the VPC CIDR (overrides `publicPrefixLength`).
   * @default - allocated: the lowest free block of `publicPrefixLength`
   */
  readonly publicCidr?: string;
  /**
   * The app tier's exact block, inside the VPC CIDR (overrides `appPrefixLength`).
   * @default - allocated: the lowest free block of `appPrefixLength`
   */
  readonly appCidr?: string;
  /**
   * The data tier's exact block, inside the VPC CIDR (overrides `dataPrefixLength`).
   * @default - allocated: the lowest free block of `dataPrefixLength`
   */
  readonly dataCidr?: string;
}
