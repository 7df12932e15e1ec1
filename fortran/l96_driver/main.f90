! l96_driver: time-step the coarse Lorenz '96 model, with the subgrid tendency from a network.
!
!   l96_driver PACKAGE.pt2 INITIAL.bin NUM_SLOW NUM_STEPS DT FORCING TRAJECTORY.bin
!
! INITIAL.bin holds NUM_SLOW float64 values (X at the start); TRAJECTORY.bin receives
! (NUM_STEPS + 1) * NUM_SLOW float64 values, the state after each step, starting with the
! initial one. Each step is one classical RK4 step of
!   dX_k/dt = -X_{k-1} (X_{k-2} - X_{k+1}) - X_k + F + U_k(X),
! with the network called at every stage, exactly as utils.lorenz96.integrate_coarse does.
! The program prints the time per step (the loop only, not loading or writing).
program l96_driver
  use, intrinsic :: iso_c_binding, only: c_ptr, c_null_char, c_associated, c_int, c_double
  use l96_net, only: l96_net_load, l96_net_run, l96_net_free
  implicit none

  character(len=4096) :: package_path, initial_path, output_path, argument
  character(len=1024) :: message
  integer :: num_slow, num_steps, step, unit_number, status, count_start, count_end, rate
  real(c_double) :: dt, forcing
  real(c_double), allocatable :: x(:), k1(:), k2(:), k3(:), k4(:), trajectory(:, :)
  type(c_ptr) :: net

  if (command_argument_count() /= 7) then
    write (*, '(a)') 'usage: l96_driver PACKAGE.pt2 INITIAL.bin NUM_SLOW NUM_STEPS DT FORCING OUT.bin'
    stop 2
  end if
  call get_command_argument(1, package_path)
  call get_command_argument(2, initial_path)
  call get_command_argument(3, argument); read (argument, *, iostat=status) num_slow
  if (status /= 0 .or. num_slow < 4) call die('NUM_SLOW should be an integer of at least 4')
  call get_command_argument(4, argument); read (argument, *, iostat=status) num_steps
  if (status /= 0 .or. num_steps < 1) call die('NUM_STEPS should be a positive integer')
  call get_command_argument(5, argument); read (argument, *, iostat=status) dt
  if (status /= 0 .or. dt <= 0) call die('DT should be a positive number')
  call get_command_argument(6, argument); read (argument, *, iostat=status) forcing
  if (status /= 0) call die('FORCING should be a number')
  call get_command_argument(7, output_path)

  allocate (x(num_slow), k1(num_slow), k2(num_slow), k3(num_slow), k4(num_slow))
  allocate (trajectory(num_slow, 0:num_steps))
  open (newunit=unit_number, file=trim(initial_path), access='stream', form='unformatted', &
        status='old', action='read', iostat=status)
  if (status /= 0) call die('cannot open '//trim(initial_path))
  read (unit_number, iostat=status) x
  if (status /= 0) call die(trim(initial_path)//' holds fewer than NUM_SLOW float64 values')
  close (unit_number)

  message = ''
  net = l96_net_load(trim(package_path)//c_null_char, message, int(len(message), c_int))
  if (.not. c_associated(net)) call die(message(1:index(message, c_null_char) - 1))

  trajectory(:, 0) = x
  call system_clock(count_start, rate)
  do step = 1, num_steps
    call tendency(x, k1)
    call tendency(x + 0.5d0 * dt * k1, k2)
    call tendency(x + 0.5d0 * dt * k2, k3)
    call tendency(x + dt * k3, k4)
    x = x + dt / 6d0 * (k1 + 2d0 * k2 + 2d0 * k3 + k4)
    trajectory(:, step) = x
  end do
  call system_clock(count_end)
  call l96_net_free(net)

  open (newunit=unit_number, file=trim(output_path), access='stream', form='unformatted', &
        status='replace', action='write', iostat=status)
  if (status /= 0) call die('cannot write '//trim(output_path))
  write (unit_number) trajectory
  close (unit_number)
  write (*, '(a, es12.5, a)') 'time per step: ', &
    1d6 * real(count_end - count_start, c_double) / real(rate, c_double) / num_steps, ' us'

contains

  ! dX/dt = -X_{k-1} (X_{k-2} - X_{k+1}) - X_k + F + U(X), on the circle (cshift wraps).
  subroutine tendency(state, rate_of_change)
    real(c_double), intent(in) :: state(:)
    real(c_double), intent(out) :: rate_of_change(:)
    real(c_double) :: u(size(state))
    if (l96_net_run(net, state, u, int(size(state), c_int)) /= 0) call die('the network failed')
    rate_of_change = -cshift(state, -1) * (cshift(state, -2) - cshift(state, 1)) - state &
                     + forcing + u
  end subroutine tendency

  subroutine die(text)
    character(len=*), intent(in) :: text
    write (0, '(a)') 'l96_driver: '//text
    error stop 1
  end subroutine die
end program l96_driver
